"""Train a small CNN on Fashion-MNIST for the int8 TFLite test (test/export/tflite-int8.test.ts).

Usage: python3 tflite_train_fashion_mnist.py <idx-dir> <out-dir> [train-samples] [epochs]
Writes <out-dir>/weights.json + weights.bin: float32 little-endian tensors in the layernas graph IR layouts
(conv OHWI, fully-connected [O, I] over an NHWC-flattened input), so the test can build the IR graph directly.
Padding is TensorFlow SAME (extra row/column after), done explicitly, to match the IR exactly.
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, stride=2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2)
        self.fc1 = nn.Linear(7 * 7 * 16, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(F.pad(x, (0, 1, 0, 1))))  # TF SAME for 28 -> 14
        x = F.relu(self.conv2(F.pad(x, (0, 1, 0, 1))))  # TF SAME for 14 -> 7
        x = x.permute(0, 2, 3, 1).flatten(1)            # NHWC flatten, as the IR / TFLite do
        return self.fc2(F.relu(self.fc1(x)))


def main():
    idx_dir, out_dir = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 6000
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.manual_seed(0)
    torch.set_num_threads(1)
    images = read_idx(os.path.join(idx_dir, "train-images-idx3-ubyte.gz"))[:n]
    labels = read_idx(os.path.join(idx_dir, "train-labels-idx1-ubyte.gz"))[:n]
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0
    y = torch.tensor(labels, dtype=torch.long)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
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

    tensors = {
        "conv1/w": net.conv1.weight.permute(0, 2, 3, 1),  # OIHW -> OHWI
        "conv1/b": net.conv1.bias,
        "conv2/w": net.conv2.weight.permute(0, 2, 3, 1),
        "conv2/b": net.conv2.bias,
        "fc1/w": net.fc1.weight,
        "fc1/b": net.fc1.bias,
        "fc2/w": net.fc2.weight,
        "fc2/b": net.fc2.bias,
    }
    os.makedirs(out_dir, exist_ok=True)
    header, offset = [], 0
    with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
        for name, t in tensors.items():
            arr = t.detach().contiguous().numpy().astype("<f4")
            f.write(arr.tobytes())
            header.append({"name": name, "shape": list(arr.shape), "offset": offset})
            offset += arr.nbytes
    with open(os.path.join(out_dir, "weights.json"), "w") as f:
        json.dump({"tensors": header}, f)


if __name__ == "__main__":
    main()
