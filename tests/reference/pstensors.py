"""Reads and writes PsTraining state-dict files (format: src/Models/Torch/StateDictFile.cs).

Layout, little-endian: magic b"PSTSD001", int32 count, then per tensor: int32 name length, UTF-8 name,
int32 dtype (c10::ScalarType code), int32 ndim, int64 dims[ndim], raw elements (row-major).
"""
import struct

import torch

MAGIC = b"PSTSD001"
DTYPES = {torch.uint8: 0, torch.int8: 1, torch.int16: 2, torch.int32: 3, torch.int64: 4,
          torch.float16: 5, torch.float32: 6, torch.float64: 7, torch.bool: 11}
CODES = {code: dtype for dtype, code in DTYPES.items()}


def save(path, tensors):
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<i", len(tensors)))
        for name, t in tensors.items():
            t = t.detach().cpu().contiguous()
            encoded = name.encode("utf-8")
            f.write(struct.pack("<i", len(encoded)))
            f.write(encoded)
            f.write(struct.pack("<ii", DTYPES[t.dtype], t.dim()))
            f.write(struct.pack(f"<{t.dim()}q", *t.shape))
            f.write(t.numpy().tobytes())


def load(path):
    result = {}
    with open(path, "rb") as f:
        assert f.read(8) == MAGIC, f"{path}: bad magic"
        (count,) = struct.unpack("<i", f.read(4))
        for _ in range(count):
            (length,) = struct.unpack("<i", f.read(4))
            name = f.read(length).decode("utf-8")
            code, ndim = struct.unpack("<ii", f.read(8))
            shape = struct.unpack(f"<{ndim}q", f.read(8 * ndim))
            dtype = CODES[code]
            n = 1
            for d in shape:
                n *= d
            size = torch.empty((), dtype=dtype).element_size()
            data = bytearray(f.read(n * size))
            result[name] = torch.frombuffer(data, dtype=dtype).reshape(shape).clone() if n else torch.empty(shape, dtype=dtype)
    return result
