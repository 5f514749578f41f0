"""Train a small CNN on Fashion-MNIST for the int8 TFLite test (test/export/tflite-int8.test.ts) and write its
weights in the layernas weights format (docs/weights-format.md: weights.bin + weights.json, PyTorch layouts).

The network is the layernas architecture string ARCH below (the test passes the same string and checks it):
  in28x28x1/conv_k3_s2_c16_nobn_relu/conv_k3_s2_c32_nobn_relu/conv_k3_s2_c64_nobn_relu/conv_k1_s1_c256_nobn_relu/gap/fc_c256_relu/fc_c10
Padding is TensorFlow SAME (for stride 2 on an even size: one extra row/column after), done explicitly.

Usage: python3 tflite_train_fashion_mnist.py <idx-dir> <out-dir> <arch> [train-samples] [epochs]
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ARCH = "in28x28x1/conv_k3_s2_c16_relu/conv_k3_s2_c32_relu/conv_k3_s2_c64_relu/conv_k1_s1_c256_relu/gap/fc_c256_relu/fc_c10"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k, stride, pad):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-5)
        self.pad = pad

    def forward(self, x):
        return F.relu(self.bn(self.conv(F.pad(x, self.pad))))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c0 = ConvBn(1, 16, 3, 2, (0, 1, 0, 1))    # TF SAME 28 -> 14 (extra row/column after)
        self.c1 = ConvBn(16, 32, 3, 2, (0, 1, 0, 1))   # TF SAME 14 -> 7
        self.c2 = ConvBn(32, 64, 3, 2, (1, 1, 1, 1))   # TF SAME 7 -> 4 (total pad 2: one before, one after)
        self.c3 = ConvBn(64, 256, 1, 1, (0, 0, 0, 0))
        self.f5 = nn.Linear(256, 256)
        self.f6 = nn.Linear(256, 10)

    def forward(self, x):
        x = self.c3(self.c2(self.c1(self.c0(x)))).mean(dim=(2, 3))
        return self.f6(F.relu(self.f5(x)))

    def named_for_layernas(self):
        out = []
        for i, c in enumerate([self.c0, self.c1, self.c2, self.c3]):
            out += [(f"l{i}.conv.weight", c.conv.weight), (f"l{i}.conv.bn.weight", c.bn.weight),
                    (f"l{i}.conv.bn.bias", c.bn.bias), (f"l{i}.conv.bn.running_mean", c.bn.running_mean),
                    (f"l{i}.conv.bn.running_var", c.bn.running_var)]
        return out + [("l5.fc.weight", self.f5.weight), ("l5.fc.bias", self.f5.bias),
                      ("l6.fc.weight", self.f6.weight), ("l6.fc.bias", self.f6.bias)]


def main():
    idx_dir, out_dir, arch = sys.argv[1], sys.argv[2], sys.argv[3]
    if arch != ARCH:
        sys.exit(f"this trainer builds {ARCH}, asked for {arch}")
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 6000
    epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    torch.manual_seed(0)
    torch.set_num_threads(1)
    images = read_idx(os.path.join(idx_dir, "train-images-idx3-ubyte.gz"))[:n]
    labels = read_idx(os.path.join(idx_dir, "train-labels-idx1-ubyte.gz"))[:n]
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0
    y = torch.tensor(labels, dtype=torch.long)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for epoch in range(epochs):
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(net(x[b]), y[b])
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        print(f"epoch {epoch + 1}/{epochs} loss {total / n:.4f}", flush=True)
    net.eval()

    os.makedirs(out_dir, exist_ok=True)
    header, offset = [], 0
    with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
        for name, t in net.named_for_layernas():
            arr = t.detach().contiguous().numpy().astype("<f4")
            f.write(arr.tobytes())
            header.append({"name": name, "shape": list(arr.shape), "dtype": "float32",
                           "offset": offset, "byteLength": arr.nbytes})
            offset += arr.nbytes
    with open(os.path.join(out_dir, "weights.json"), "w") as f:
        json.dump({"format": "layernas-weights", "version": 1, "arch": ARCH, "tensors": header}, f)


if __name__ == "__main__":
    main()
