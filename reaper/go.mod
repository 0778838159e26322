module hopscope/reaper

go 1.26
