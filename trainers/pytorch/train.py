#!/usr/bin/env python3
"""layernas reference external trainer (PyTorch, Debian python3-torch).

Usage: /usr/bin/python3 trainers/pytorch/train.py [--threads N] [--device auto|cpu|cuda] <request.json>

Device: auto (default; env LAYERNAS_TRAINER_DEVICE) trains on CUDA when torch sees a GPU, with mixed precision
(autocast + GradScaler) and channels-last tensors; otherwise on the CPU exactly as before. cuda without a GPU is an
error (exit 2), never a silent CPU run.

Reads a layernas-train/1 request (docs/training.md): architecture spec, IDX files of the fixed splits, settings,
output dir. Trains, writes weights (layernas weights format: weights.json + weights.bin in <outputDir>/weights)
and the result JSON to request.resultFile. Progress lines on stdout: `PROGRESS {json}`. Errors: message on stderr,
non-zero exit; exit code 3 (EXIT_CANDIDATE) when the candidate itself cannot be built (a final failure, never retried).
The trainer dies with its parent: layernas gives it its pid in LAYERNAS_PARENT_PID and a stdin pipe it never writes
(EOF = the parent is gone); the trainer asks Linux to SIGKILL it when the parent dies (PR_SET_PDEATHSIG) and a
watcher thread exits on either sign, so `kill -9` of layernas leaves no trainer running.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import threading
import time

EXIT_CANDIDATE = 3


def watch_parent():
    """Exit at once when the layernas process that started us is gone (pipe EOF or re-parenting)."""
    parent = os.environ.get('LAYERNAS_PARENT_PID')
    if parent is None:
        return
    parent = int(parent)
    try:  # Linux: the kernel kills us the moment the parent dies (no thread or GIL needed)
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:
        pass
    if os.getppid() != parent:  # it died before the line above
        os._exit(137)

    def by_pipe():
        # os.read on the raw fd: a daemon thread blocked in sys.stdin would abort the interpreter at shutdown
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os._exit(137)

    def by_pid():
        while True:
            if os.getppid() != parent:
                os._exit(137)
            time.sleep(0.5)

    if os.environ.get('LAYERNAS_PARENT_PIPE') == '1':
        threading.Thread(target=by_pipe, daemon=True).start()
    threading.Thread(target=by_pid, daemon=True).start()


if __name__ == '__main__':
    watch_parent()  # before the slow imports: a parent killed while torch loads must not leave us running

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from layernas_net import Network, count_trainable, layernas_state  # noqa: E402


def read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise ValueError(f'{path}: not an unsigned-byte IDX file')
    nd = data[3]
    dims = struct.unpack('>' + 'I' * nd, data[4:4 + 4 * nd])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * nd)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f'{path}: {arr.size} values for dims {dims}')
    return arr.reshape(dims)


def load_split(part):
    x = read_idx(part['images'])
    if x.ndim == 3:
        x = x[:, :, :, None]
    y = read_idx(part['labels']).astype(np.int64)
    return torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y)


def to_input(xb, inp):
    """uint8 NCHW -> float [0,1], bilinear resize (half-pixel centres), channel replication / luminance."""
    x = xb.float() / 255.0
    if x.shape[2] != inp['height'] or x.shape[3] != inp['width']:
        x = F.interpolate(x, size=(inp['height'], inp['width']), mode='bilinear', align_corners=False)
    c, tc = x.shape[1], inp['channels']
    if c == 1 and tc == 3:
        x = x.expand(-1, 3, -1, -1)
    elif c == 3 and tc == 1:
        x = 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    elif c != tc:
        raise ValueError(f'cannot convert {c} channels to {tc}')
    return x.contiguous()


DEVICES = ('auto', 'cpu', 'cuda')


def select_device(choice, cuda_available):
    """('cuda' | 'cpu', why): auto takes the GPU when there is one; cuda without one raises ValueError."""
    if choice not in DEVICES:
        raise ValueError(f'unknown device {choice!r}: use one of {", ".join(DEVICES)}')
    if choice == 'cuda' and not cuda_available:
        raise ValueError('--device cuda: torch sees no CUDA GPU on this machine (use --device auto or cpu)')
    if choice == 'cpu' or not cuda_available:
        return 'cpu', 'asked for the CPU' if choice == 'cpu' else 'no CUDA GPU visible to torch'
    return 'cuda', 'CUDA GPU visible to torch'


class Placement:
    """Where training runs: device, memory format and mixed precision (CUDA only)."""

    def __init__(self, device):
        self.device = torch.device(device)
        self.cuda = device == 'cuda'
        self.memory_format = torch.channels_last if self.cuda else torch.contiguous_format
        self.scaler = torch.cuda.amp.GradScaler(enabled=self.cuda)

    def autocast(self):
        return torch.cuda.amp.autocast(enabled=self.cuda)

    def net(self, net):
        return net.to(self.device, memory_format=self.memory_format)

    def batch(self, x):
        x = x.to(self.device, non_blocking=True)
        return x.contiguous(memory_format=self.memory_format) if x.dim() == 4 else x

    def describe(self):
        if self.cuda:
            return f'torch-cuda {torch.cuda.get_device_name(0)} amp channels-last'
        return f'torch-cpu x{torch.get_num_threads()}'


def lr_at(s, step, total):
    if step < s['warmupSteps']:
        return s['lr'] * (step + 1) / s['warmupSteps']
    t = (step - s['warmupSteps']) / max(1, total - s['warmupSteps'])
    return 0.5 * s['lr'] * (1 + math.cos(math.pi * min(1.0, t)))


def recalibrate_bn(net, x, inp, bs, batches, place=None):
    """Running BN statistics := plain average over `batches` training batches (as layernas' tfjs trainer)."""
    n = min(batches, x.shape[0] // bs)
    if n <= 0:
        return
    bns = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    net.train()
    with torch.no_grad():
        for k in range(n):
            xb = to_input(x[k * bs:(k + 1) * bs], inp)
            if place is not None:
                with place.autocast():
                    net(place.batch(xb))
            else:
                net(xb)
    for m in bns:
        m.momentum = 0.1


def accuracy(net, x, y, inp, batch=256, place=None):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            xb = to_input(x[i:i + batch], inp)
            if place is not None:
                with place.autocast():
                    out = net(place.batch(xb))
                correct += (out.argmax(1).cpu() == y[i:i + batch]).sum().item()
            else:
                correct += (net(xb).argmax(1) == y[i:i + batch]).sum().item()
    return correct / max(1, x.shape[0])


def write_weights(net, arch, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    tensors, chunks, offset = [], [], 0
    for name, t in layernas_state(net):
        a = t.detach().cpu().numpy().astype('<f4').ravel()
        tensors.append({'name': name, 'shape': list(t.shape), 'dtype': 'float32', 'offset': offset, 'byteLength': a.size * 4})
        chunks.append(a)
        offset += a.size * 4
    tmp = os.path.join(out_dir, f'weights.bin.tmp-{os.getpid()}')
    np.concatenate(chunks).tofile(tmp)
    os.replace(tmp, os.path.join(out_dir, 'weights.bin'))
    header = {'format': 'layernas-weights', 'version': 1, 'arch': arch, 'tensors': tensors}
    tmp = os.path.join(out_dir, f'weights.json.tmp-{os.getpid()}')
    with open(tmp, 'w') as f:
        json.dump(header, f, indent=1)
    os.replace(tmp, os.path.join(out_dir, 'weights.json'))


def train(req, place):
    s = req['settings']
    spec = req['spec']
    inp = spec['input']
    torch.manual_seed(s['seed'])
    try:
        net = Network(spec)
    except (ValueError, KeyError, TypeError, RuntimeError) as e:
        print(f'candidate cannot be built: {e}', file=sys.stderr)
        sys.exit(EXIT_CANDIDATE)
    net = place.net(net)
    if net.num_classes != req['dataset']['numClasses']:
        raise ValueError(f"classifier has {net.num_classes} outputs, dataset has {req['dataset']['numClasses']} classes")
    xtr, ytr = load_split(req['dataset']['train'])
    xva, yva = load_split(req['dataset']['validation'])
    bs = s['batchSize']
    steps = xtr.shape[0] // bs
    if steps < 1:
        raise ValueError(f'{xtr.shape[0]} training images are fewer than one batch of {bs}')
    total = steps * s['epochs']
    decay = [p for n, p in net.named_parameters() if n.endswith('.weight') and p.dim() > 1]
    other = [p for n, p in net.named_parameters() if not (n.endswith('.weight') and p.dim() > 1)]
    groups = [{'params': decay, 'weight_decay': s['weightDecay']}, {'params': other, 'weight_decay': 0.0}]
    if s['optimizer'] == 'sgd':
        opt = torch.optim.SGD(groups, lr=s['lr'], momentum=s['momentum'])
    else:
        opt = torch.optim.AdamW(groups, lr=s['lr'])
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=s['labelSmoothing'])
    gen = torch.Generator().manual_seed(s['seed'])
    t0 = time.time()
    step, train_seconds, images, last_loss, last_print = 0, 0.0, 0, float('nan'), 0.0
    max_steps = int(os.environ.get('LAYERNAS_MAX_STEPS', '0')) or None
    for epoch in range(s['epochs']):
        net.train()
        order = torch.randperm(xtr.shape[0], generator=gen)
        loss_sum = 0.0
        for b in range(steps):
            if max_steps is not None and step >= max_steps:
                break
            ts = time.time()
            idx = order[b * bs:(b + 1) * bs]
            for g in opt.param_groups:
                g['lr'] = lr_at(s, step, total)
            with place.autocast():
                loss = loss_fn(net(place.batch(to_input(xtr[idx], inp))), place.batch(ytr[idx]))
            opt.zero_grad(set_to_none=True)
            place.scaler.scale(loss).backward()
            place.scaler.step(opt)
            place.scaler.update()
            lv = loss.item()
            if not math.isfinite(lv):
                raise RuntimeError(f'training diverged at epoch {epoch + 1} step {b + 1} (loss {lv})')
            train_seconds += time.time() - ts
            images += bs
            step += 1
            loss_sum += lv
            last_loss = loss_sum / (b + 1)
            now = time.time()
            if now - last_print > 5 or b + 1 == steps:
                last_print = now
                print('PROGRESS ' + json.dumps({'epoch': epoch + 1, 'epochs': s['epochs'], 'step': b + 1, 'steps': steps,
                                                'loss': last_loss, 'imagesPerSecond': images / max(train_seconds, 1e-9)}), flush=True)
    recalibrate_bn(net, xtr, inp, bs, s.get('bnRecalibrationBatches', 0), place)
    if s.get('validationSubset'):
        xva, yva = xva[:s['validationSubset']], yva[:s['validationSubset']]
    metrics = {
        'valAccuracy': accuracy(net, xva, yva, inp, place=place),
        'trainLoss': last_loss, 'epochs': s['epochs'], 'trainImages': int(xtr.shape[0]),
        'imagesPerSecond': images / max(train_seconds, 1e-9), 'params': count_trainable(net),
    }
    if req['evaluateTest']:
        xte, yte = load_split(req['dataset']['test'])
        metrics['testAccuracy'] = accuracy(net, xte, yte, inp, place=place)
    metrics['wallSeconds'] = time.time() - t0
    weights_dir = os.path.join(req['outputDir'], 'weights')
    write_weights(net, req['arch'], weights_dir)
    return {'protocol': 'layernas-train/1',
            'trainer': {'name': 'pytorch', 'backend': place.describe(), 'version': torch.__version__},
            'metrics': metrics, 'weightsDir': weights_dir}


def load_weights(net, weights_dir):
    with open(os.path.join(weights_dir, 'weights.json')) as f:
        header = json.load(f)
    raw = np.fromfile(os.path.join(weights_dir, 'weights.bin'), dtype='<f4')
    sd = net.state_dict()
    for t in header['tensors']:
        a = raw[t['offset'] // 4:(t['offset'] + t['byteLength']) // 4].reshape(t['shape'])
        sd[t['name']] = torch.from_numpy(a.copy())
    net.load_state_dict(sd)


def describe(spec):
    """Parameter names, shapes and trainable count of the network (checked against layernas' listParameters)."""
    net = Network(spec)
    trainable = {n for n, _ in net.named_parameters()}
    return {'params': count_trainable(net),
            'tensors': [{'name': n, 'shape': list(t.shape), 'trainable': n in trainable} for n, t in layernas_state(net)]}


def predict(req, weights_dir, n):
    """Eval-mode logits of the first n test images (the trainer's own forward pass)."""
    net = Network(req['spec'])
    load_weights(net, weights_dir)
    net.eval()
    xte, _ = load_split(req['dataset']['test'])
    with torch.no_grad():
        return net(to_input(xte[:n], req['spec']['input'])).tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('request', help='request JSON (or a NetworkSpec JSON with --describe)')
    ap.add_argument('--threads', type=int, default=int(os.environ.get('LAYERNAS_THREADS', '0')) or os.cpu_count())
    ap.add_argument('--describe', action='store_true', help='print the parameter list of the spec in <request> and exit')
    ap.add_argument('--predict', metavar='WEIGHTS_DIR', help='print eval-mode logits of the first --n test images and exit')
    ap.add_argument('--n', type=int, default=100)
    ap.add_argument('--device', default=os.environ.get('LAYERNAS_TRAINER_DEVICE', 'auto'), help='auto | cpu | cuda (env LAYERNAS_TRAINER_DEVICE)')
    ap.add_argument('--print-device', action='store_true', help='print the device auto/cpu/cuda resolves to on this machine and exit')
    a = ap.parse_args()
    torch.set_num_threads(max(1, a.threads))
    try:
        device, why = select_device(a.device, torch.cuda.is_available())
    except ValueError as e:
        print(str(e), file=sys.stderr)
        sys.exit(2)
    place = Placement(device)
    if a.print_device:
        print(json.dumps({'device': device, 'why': why, 'backend': place.describe()}))
        return
    with open(a.request) as f:
        req = json.load(f)
    if a.describe:
        print(json.dumps([describe(s) for s in req] if isinstance(req, list) else describe(req)))
        return
    if a.predict:
        print(json.dumps(predict(req, a.predict, a.n)))
        return
    if req.get('protocol') != 'layernas-train/1':
        raise SystemExit(f"{a.request}: unsupported protocol {req.get('protocol')!r} (expected layernas-train/1)")
    result = train(req, place)
    tmp = req['resultFile'] + f'.tmp-{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, req['resultFile'])


if __name__ == '__main__':
    main()
