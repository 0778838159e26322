module hopscope/rust-cache-server

go 1.26
