"""An event-file reader independent of Cohort and of protobuf: TFRecord framing with masked CRC-32C (the
Castagnoli polynomial, bit-reflected 0x82F63B78) and the protobuf wire format of tensorflow.Event and Summary,
decoded by hand. Prints one line per record: `version <file_version>` or `step <step> <tag>=<simple_value>...`
(each value as the bits of its float32, in hex). Exits 1 naming the record and the problem on a bad length or CRC.

Usage: python3 read_events.py EVENTS_FILE
"""
import struct
import sys

TABLE = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def fields(buf):
    """(field number, wire type, value) of a message: varints as ints, fixed as bytes, length-delimited as bytes."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 2:
            n, i = varint(buf, i)
            value, i = buf[i:i + n], i + n
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def describe(event):
    step, version, values = 0, None, []
    for number, _, value in fields(event):
        if number == 2:
            step = value
        elif number == 3:
            version = value.decode("utf-8")
        elif number == 5:
            for n, _, v in fields(value):
                if n == 1:
                    tag, simple = None, None
                    for vn, _, vv in fields(v):
                        if vn == 1:
                            tag = vv.decode("utf-8")
                        elif vn == 2:
                            simple = struct.unpack("<I", vv)[0]
                    values.append(f"{tag}=0x{simple:08x}")
    return f"version {version}" if version is not None else f"step {step} " + " ".join(values)


def main(path):
    data = open(path, "rb").read()
    i = record = 0
    while i < len(data):
        header = data[i:i + 8]
        if len(header) < 8 or struct.unpack("<I", data[i + 8:i + 12])[0] != masked(header):
            sys.exit(f"record {record} at byte {i}: bad length or its CRC")
        n = struct.unpack("<Q", header)[0]
        body = data[i + 12:i + 12 + n]
        if len(body) < n or struct.unpack("<I", data[i + 12 + n:i + 16 + n])[0] != masked(body):
            sys.exit(f"record {record} at byte {i}: truncated data or a bad data CRC")
        print(describe(body))
        i += 16 + n
        record += 1


main(sys.argv[1])
