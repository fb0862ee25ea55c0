"""avro-interop.py: the other side of hub's Avro wire format, Apache Avro's
Python implementation (Debian's python3-avro).

  avro-interop.py read SCHEMA MESSAGE ID   MESSAGE (Confluent framing, as hub
                                           wrote it) decodes to the expected datum
  avro-interop.py write SCHEMA MESSAGE ID  writes the expected datum, framed
  avro-interop.py json FILE                FILE (hub's decoding) is the expected
                                           datum in hub's JSON mapping
Exit status 0 when the check holds."""
import datetime as dt
import io
import json
import struct
import sys
from decimal import Decimal

import avro.io
import avro.schema

UTC = dt.timezone.utc
DATUM = {
    "n": None, "b": True, "i": -5, "l": 9007199254740993, "f": 1.5, "d": -0.00225,
    "by": b"a\xff\x00", "s": "Zo\u00eb \u6771\u4eac", "e": "B", "a": [1, 2, 3], "m": {"k": "v"},
    "fx": b"xyz", "u": {"x": 7}, "u2": "hi", "dec": Decimal("-1234.56"), "decf": Decimal("12.345"),
    "date": dt.date(2026, 3, 1),
    "tsm": dt.datetime(2026, 3, 1, 8, 0, 0, 49000, tzinfo=UTC),
    "tsu": dt.datetime(2026, 3, 1, 7, 0, 0, 123, tzinfo=UTC),
    "tm": dt.time(8, 0, 0, 49000),
    "uuid": "c9e9c616-612e-4696-96ce-cc1b78e51061", "dflt": "dv",
}
# The same datum as hub writes it in JSON (hub-schemas(5)).
JSON = {
    "n": None, "b": True, "i": -5, "l": 9007199254740993, "f": Decimal("1.5"), "d": Decimal("-0.00225"),
    "by": "a\u00ff\u0000", "s": "Zo\u00eb \u6771\u4eac", "e": "B", "a": [1, 2, 3], "m": {"k": "v"},
    "fx": "xyz", "u": {"x": 7}, "u2": "hi", "dec": Decimal("-1234.56"), "decf": Decimal("12.345"),
    "date": "2026-03-01", "tsm": "2026-03-01T08:00:00.049Z", "tsu": "2026-03-01T07:00:00.000123Z",
    "tm": "08:00:00.049", "uuid": "c9e9c616-612e-4696-96ce-cc1b78e51061", "dflt": "dv",
}


def main():
    mode = sys.argv[1]
    if mode == "json":
        got = json.load(open(sys.argv[2]), parse_float=Decimal)
        if got != JSON:
            sys.exit("hub's JSON differs:\n%r\n%r" % (got, JSON))
        return
    schema = avro.schema.parse(open(sys.argv[2]).read())
    path, sid = sys.argv[3], int(sys.argv[4])
    if mode == "write":
        buf = io.BytesIO()
        buf.write(struct.pack(">bI", 0, sid))
        avro.io.DatumWriter(schema).write(DATUM, avro.io.BinaryEncoder(buf))
        open(path, "wb").write(buf.getvalue())
        return
    raw = open(path, "rb").read()
    magic, got_id = struct.unpack(">bI", raw[:5])
    if magic != 0 or got_id != sid:
        sys.exit("framing: magic %d, id %d (expected 0, %d)" % (magic, got_id, sid))
    body = io.BytesIO(raw[5:])
    got = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(body))
    if body.read():
        sys.exit("bytes left after the datum")
    got["uuid"] = str(got["uuid"])
    if got != DATUM:
        sys.exit("python3-avro read something else:\n%r\n%r" % (got, DATUM))


main()
