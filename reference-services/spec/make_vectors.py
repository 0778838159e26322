"""Writes the /bench/json test vectors from this reference model of the contract in README.md.

Kept so that a vector can be added or checked without either service: run `python3 make_vectors.py`."""
import json, os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors")
SHORT = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}


def s(text):
    out = ['"']
    for ch in text:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif c in SHORT:
            out.append(SHORT[c])
        elif c < 0x20:
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def transform(doc):
    items = doc["items"]
    tags = sorted({t for it in items for t in it["tags"]}, key=lambda t: t.encode())
    by_tag = {t: [0, 0] for t in tags}
    best = None
    for it in items:
        cents = it["qty"] * it["price_cents"]
        for t in set(it["tags"]):
            by_tag[t][0] += 1
            by_tag[t][1] += cents
        if best is None or cents > best[1]:
            best = (it["name"], cents)
    parts = [
        '"id":' + s(doc["id"]),
        '"item_count":%d' % len(items),
        '"total_qty":%d' % sum(it["qty"] for it in items),
        '"total_cents":%d' % sum(it["qty"] * it["price_cents"] for it in items),
        '"tags":[' + ",".join(s(t) for t in tags) + "]",
        '"by_tag":{' + ",".join('%s:{"count":%d,"cents":%d}' % (s(t), c, v) for t, (c, v) in by_tag.items()) + "}",
        '"max_item":' + ("null" if best is None else '{"name":%s,"cents":%d}' % (s(best[0]), best[1])),
    ]
    return "{" + ",".join(parts) + "}"


def item(name, qty, price, tags):
    return {"name": name, "qty": qty, "price_cents": price, "tags": tags}


OK = {
    "empty_items": {"id": "o-1", "items": []},
    "basic": {"id": "order-42", "items": [item("apple", 3, 120, ["fruit", "red"]), item("pear", 2, 95, ["fruit", "green"])]},
    "tie_first_wins": {"id": "t", "items": [item("a", 2, 50, []), item("b", 1, 100, []), item("c", 4, 10, [])]},
    "duplicate_tag_in_item": {"id": "d", "items": [item("x", 1, 7, ["k", "k", "a"])]},
    "escaping": {"id": "q\"uo\\te\n\t\b\f\r\u0001\u001f</>&\u2028\u00e9\U0001F600", "items": [item("caf\u00e9 \u00fc", 1, 1, ["\u00e9", "e", "E", "\u0000z"])]},
    "unknown_fields_ignored": {"id": "u", "extra": {"deep": [1, 2, {"x": None}]}, "items": [dict(item("n", 5, 3, ["t"]), note="hi", weight=1.5)]},
    "bounds_max": {"id": "m" * 128, "items": [item("n" * 128, 1000000, 1000000000, ["t%02d" % i for i in range(16)])]},
    "zero_values": {"id": "z", "items": [item("n", 0, 0, [])]},
}

# Raw bodies: (body, status, code, field)
BAD = {
    "err_not_json": (b"{nope", 400, "malformed_json", None),
    "err_top_level_array": (b"[]", 400, "malformed_json", None),
    "err_trailing_bytes": (b'{"id":"a","items":[]} x', 400, "malformed_json", None),
    "err_invalid_utf8": (b'{"id":"\xff\xfe","items":[]}', 400, "malformed_json", None),
    "err_missing_id": (b'{"items":[{"qty":1}]}', 400, "missing_field", "id"),
    "err_missing_items": (b'{"id":"a"}', 400, "missing_field", "items"),
    "err_id_type": (b'{"id":5,"items":[]}', 400, "invalid_type", "id"),
    "err_id_empty": (b'{"id":"","items":[]}', 400, "out_of_range", "id"),
    "err_qty_float": (b'{"id":"a","items":[{"name":"n","qty":1.5,"price_cents":1,"tags":[]}]}', 400, "invalid_type", "items[0].qty"),
    "err_qty_exponent": (b'{"id":"a","items":[{"name":"n","qty":1e2,"price_cents":1,"tags":[]}]}', 400, "invalid_type", "items[0].qty"),
    "err_qty_negative": (b'{"id":"a","items":[{"name":"n","qty":1,"price_cents":1,"tags":[]},{"name":"n","qty":-1,"price_cents":1,"tags":[]}]}', 400, "out_of_range", "items[1].qty"),
    "err_price_too_big": (b'{"id":"a","items":[{"name":"n","qty":1,"price_cents":1000000001,"tags":[]}]}', 400, "out_of_range", "items[0].price_cents"),
    "err_missing_tags": (b'{"id":"a","items":[{"name":"n","qty":1,"price_cents":1}]}', 400, "missing_field", "items[0].tags"),
    "err_tag_too_long": (('{"id":"a","items":[{"name":"n","qty":1,"price_cents":1,"tags":["ok","%s"]}]}' % ("x" * 65)).encode(), 400, "out_of_range", "items[0].tags[1]"),
    "err_too_many_tags": (('{"id":"a","items":[{"name":"n","qty":1,"price_cents":1,"tags":[%s]}]}' % ",".join('"t"' for _ in range(17))).encode(), 400, "out_of_range", "items[0].tags"),
    "err_items_not_array": (b'{"id":"a","items":{}}', 400, "invalid_type", "items"),
}


def main():
    os.makedirs(HERE, exist_ok=True)
    for name, doc in OK.items():
        body = json.dumps(doc, ensure_ascii=False).encode()
        with open(os.path.join(HERE, name + ".request.json"), "wb") as f:
            f.write(body)
        with open(os.path.join(HERE, name + ".response.json"), "wb") as f:
            f.write(transform(doc).encode())
        with open(os.path.join(HERE, name + ".meta.json"), "w") as f:
            json.dump({"status": 200, "code": None, "field": None}, f)
    for name, (body, status, code, field) in BAD.items():
        with open(os.path.join(HERE, name + ".request.json"), "wb") as f:
            f.write(body)
        with open(os.path.join(HERE, name + ".meta.json"), "w") as f:
            json.dump({"status": status, "code": code, "field": field}, f)


if __name__ == "__main__":
    main()
