#!/usr/bin/python3
"""PyTorch CPU reference for bench/train-kernels.ts: trains the bench network (same block string, same shapes)
with SGD momentum + label smoothing on random data and prints one JSON line with the timing.

  /usr/bin/python3 bench/train-kernels-torch.py --net <block string> --batch 64 --steps 10 --threads 2

Only the ops of the bench network are supported: conv (k, s, c, act), ir (k, s, e, c, act), gap, fc.
Padding is symmetric k//2 (same output sizes and FLOPs as TF SAME; alignment differs, irrelevant for speed).
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn


def parse(net):
    parts = net.split('/')
    h, w, c = (int(v) for v in parts[0][2:].split('x'))
    layers = []
    for tok in parts[1:]:
        op, *rest = tok.split('_')
        spec = {'op': op, 'act': 'relu6' if op in ('conv', 'ir') else 'none'}
        for r in rest:
            if r in ('relu', 'relu6', 'hs', 'noact'):
                spec['act'] = r
            elif r[0] in 'ksec' and r[1:].replace('.', '').isdigit():
                spec[r[0]] = float(r[1:]) if r[0] == 'e' else int(r[1:])
            else:
                raise SystemExit(f'unsupported part {r!r} in {tok!r}')
        layers.append(spec)
    return (h, w, c), layers


def act(name):
    return {'relu': nn.ReLU(), 'relu6': nn.ReLU6(), 'hs': nn.Hardswish(), 'noact': nn.Identity(), 'none': nn.Identity()}[name]


def make_divisible(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    return n + d if n < 0.9 * v else n


def conv_bn(cin, cout, k, s, a, groups=1):
    return [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), act(a)]


class IR(nn.Module):
    def __init__(self, cin, spec):
        super().__init__()
        mid = make_divisible(cin * spec['e']) if spec['e'] != 1 else cin
        mods = []
        if spec['e'] != 1:
            mods += conv_bn(cin, mid, 1, 1, spec['act'])
        mods += conv_bn(mid, mid, spec['k'], spec['s'], spec['act'], groups=mid)
        mods += conv_bn(mid, spec['c'], 1, 1, 'noact')
        self.body = nn.Sequential(*mods)
        self.skip = spec['s'] == 1 and cin == spec['c']

    def forward(self, x):
        y = self.body(x)
        return x + y if self.skip else y


def build(net):
    (h, w, c), layers = parse(net)
    mods, cin = [], c
    for s in layers:
        if s['op'] == 'conv':
            mods += conv_bn(cin, s['c'], s['k'], s['s'], s['act'])
            cin = s['c']
        elif s['op'] == 'ir':
            mods.append(IR(cin, s))
            cin = s['c']
        elif s['op'] == 'gap':
            mods += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        elif s['op'] == 'fc':
            mods += [nn.Linear(cin, s['c']), act(s['act'])]
            cin = s['c']
        else:
            raise SystemExit(f"unsupported op {s['op']}")
    return (h, w, c), nn.Sequential(*mods), cin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--net', required=True)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    (h, w, c), model, classes = build(a.net)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=4e-5)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    x = torch.rand(a.batch, c, h, w)
    y = torch.randint(0, classes, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    w0, c0 = time.perf_counter(), time.process_time()
    loss = math.nan
    for _ in range(a.steps):
        loss = step()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({'engine': 'pytorch-cpu', 'torch': torch.__version__, 'threads': a.threads, 'batch': a.batch,
                      'steps': a.steps, 'wallSeconds': wall, 'cpuSeconds': cpu, 'loss': loss, 'params': params}))


if __name__ == '__main__':
    main()
