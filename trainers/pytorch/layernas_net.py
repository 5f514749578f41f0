"""Build a layernas NetworkSpec (src/arch/spec.ts, JSON) as a PyTorch module.

Parameter names equal layernas' listParameters (docs/weights-format.md): the network registers children `l0`, `l1`,
... and each conv unit has `weight` [out, in/groups, k, k], optional `bias`, optional `bn` (BatchNorm2d, eps 1e-5).
Padding is TensorFlow SAME (extra pixel bottom/right), applied explicitly. Feature maps are NCHW inside; a fully
connected layer on a spatial map flattens in NHWC order, as layernas does.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_divisible(value, divisor=8, min_value=None):
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def same_pad(x, k, s):
    h, w = x.shape[2], x.shape[3]
    ph = max((math.ceil(h / s) - 1) * s + k - h, 0)
    pw = max((math.ceil(w / s) - 1) * s + k - w, 0)
    if ph == 0 and pw == 0:
        return x
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


def activate(x, act):
    if act == 'relu':
        return F.relu(x)
    if act == 'relu6':
        return F.relu6(x)
    if act == 'hswish':
        return x * F.relu6(x + 3.0) / 6.0
    if act == 'none':
        return x
    raise ValueError(f'unknown activation {act!r}')


def gate(x, g):
    if g == 'sigmoid':
        return torch.sigmoid(x)
    if g == 'hsigmoid':
        return F.relu6(x + 3.0) / 6.0
    raise ValueError(f'unknown gate {g!r}')


def avg_pool_same(x, k, s):
    """Average pool with TF SAME padding; padded cells are excluded from the average."""
    padded = same_pad(x, k, s)
    ones = same_pad(torch.ones_like(x[:, :1]), k, s)
    total = F.avg_pool2d(padded, k, s) * (k * k)
    count = F.avg_pool2d(ones, k, s) * (k * k)
    return total / count


class ConvUnit(nn.Module):
    """[ReLU ->] conv (SAME) -> BN or bias -> activation."""

    def __init__(self, cin, cout, k, stride=1, groups=1, bn=True, act='none', pre_relu=False, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin // groups, k, k))
        nn.init.kaiming_normal_(self.weight, mode='fan_out', nonlinearity='relu')
        self.bias = None if bn or not bias else nn.Parameter(torch.zeros(cout))
        self.bn = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1) if bn else None
        self.k, self.stride, self.groups, self.act, self.pre_relu = k, stride, groups, act, pre_relu

    def forward(self, x):
        if self.pre_relu:
            x = F.relu(x)
        y = F.conv2d(same_pad(x, self.k, self.stride), self.weight, self.bias, self.stride, 0, 1, self.groups)
        if self.bn is not None:
            y = self.bn(y)
        return activate(y, self.act)


class InvertedResidual(nn.Module):
    def __init__(self, spec, cin):
        super().__init__()
        e = spec['expansion']
        mid = cin if e == 1 else make_divisible(cin * e, 8)
        g = spec['groups']
        self.expand = None if e == 1 else ConvUnit(cin, mid, 1, 1, g, True, spec['act'])
        self.dw = ConvUnit(mid, mid, spec['kernel'], spec['stride'], mid, True, spec['act'])
        self.se = None
        if spec['se'] > 0:
            s = make_divisible(mid * spec['se'], 8)
            self.se = nn.Module()
            self.se.reduce = ConvUnit(mid, s, 1, 1, 1, False, 'relu')
            self.se.expand = ConvUnit(s, mid, 1, 1, 1, False, 'none')
        self.project = ConvUnit(mid, spec['out'], 1, 1, g, True, 'none')
        self.gate = spec['seGate']
        self.residual = spec['skip'] and spec['stride'] == 1 and cin == spec['out']

    def forward(self, x):
        y = self.expand(x) if self.expand is not None else x
        y = self.dw(y)
        if self.se is not None:
            y = y * gate(self.se.expand(self.se.reduce(y.mean((2, 3), keepdim=True))), self.gate)
        y = self.project(y)
        return x + y if self.residual else y


class FusedMBConv(nn.Module):
    """Fused MBConv (src/arch/kinds/fmb.ts): k x k conv expansion (stride s) + BN + act, 1x1 projection + BN, residual."""

    def __init__(self, spec, cin):
        super().__init__()
        e = spec['expansion']
        mid = cin if e == 1 else make_divisible(cin * e, 8)
        self.expand = ConvUnit(cin, mid, spec['kernel'], spec['stride'], 1, True, spec['act'])
        self.project = ConvUnit(mid, spec['out'], 1, 1, 1, True, 'none')
        self.residual = spec['skip'] and spec['stride'] == 1 and cin == spec['out']

    def forward(self, x):
        y = self.project(self.expand(x))
        return x + y if self.residual else y


SOURCES = [0, 0, 1, 0, 1, 2]
TARGETS = [1, 2, 2, 3, 3, 3]


class Cell(nn.Module):
    """NAS-Bench-201 / NATS cell: node j = sum of edge ops from earlier nodes; edge modules named e0..e5."""

    def __init__(self, ops, cin, cout):
        super().__init__()
        self.ops = ops
        for j, op in enumerate(ops):
            a = cin if SOURCES[j] == 0 else cout
            if op == 'nor_conv_3x3':
                self.add_module(f'e{j}', ConvUnit(a, cout, 3, 1, 1, True, 'none', pre_relu=True))
            elif op == 'nor_conv_1x1' or (op == 'skip_connect' and a != cout):
                self.add_module(f'e{j}', ConvUnit(a, cout, 1, 1, 1, True, 'none', pre_relu=True))

    def edge(self, j, x):
        op = self.ops[j]
        if hasattr(self, f'e{j}'):
            return getattr(self, f'e{j}')(x)
        if op == 'skip_connect':
            return x
        if op == 'avg_pool_3x3':
            return avg_pool_same(x, 3, 1)
        return None  # 'none'

    def forward(self, x):
        nodes = [x]
        for j in (1, 2, 3):
            terms = [self.edge(e, nodes[SOURCES[e]]) for e in range(6) if TARGETS[e] == j]
            terms = [t for t in terms if t is not None]
            if terms:
                acc = terms[0]
                for t in terms[1:]:
                    acc = acc + t
            else:
                n, _, h, w = x.shape
                c = self.e0.weight.shape[0] if hasattr(self, 'e0') else x.shape[1]
                acc = x.new_zeros(n, c, h, w)
            nodes.append(acc)
        return nodes[3]


NATS_OPS = ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3']


class ResBlock(nn.Module):
    def __init__(self, spec, cin):
        super().__init__()
        out, s = spec['out'], spec['stride']
        self.a = ConvUnit(cin, out, 3, s, 1, True, 'none', pre_relu=True)
        self.b = ConvUnit(out, out, 3, 1, 1, True, 'none', pre_relu=True)
        self.stride = s
        if s == 2:
            self.shortcut = ConvUnit(cin, out, 1, 1, 1, False, 'none', bias=False)
        elif cin != out:
            self.shortcut = ConvUnit(cin, out, 1, 1, 1, True, 'none', pre_relu=True)
        else:
            self.shortcut = None

    def forward(self, x):
        if self.stride == 2:
            short = self.shortcut(avg_pool_same(x, 2, 2))
        else:
            short = self.shortcut(x) if self.shortcut is not None else x
        return self.b(self.a(x)) + short


class BnAct(nn.Module):
    def __init__(self, c, act):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)
        self.act = act

    def forward(self, x):
        return activate(self.bn(x), self.act)


class Gap(nn.Module):
    def forward(self, x):
        return x.mean((2, 3), keepdim=True)


class Identity(nn.Module):
    def forward(self, x):
        return x


class Fc(nn.Module):
    def __init__(self, cin, cout, bias, act):
        super().__init__()
        self.fc = nn.Linear(cin, cout, bias=bias)
        self.act = act

    def forward(self, x):
        flat = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # NHWC flatten order
        return activate(self.fc(flat), self.act)[:, :, None, None]


def build_layer(spec, cin):
    op = spec['op']
    if op == 'conv':
        return ConvUnitLayer(cin, spec), spec['out'], spec['stride']
    if op == 'ir':
        return InvertedResidual(spec, cin), spec['out'], spec['stride']
    if op == 'fmb':
        return FusedMBConv(spec, cin), spec['out'], spec['stride']
    if op == 'skip':
        if spec['stride'] == 1 and cin == spec['out']:
            return Identity(), cin, 1
        return SkipConv(cin, spec), spec['out'], spec['stride']
    if op == 'nb201cell':
        return Cell(list(spec['edges']), cin, cin), cin, 1
    if op == 'natscell':
        return Cell(NATS_OPS, cin, spec['out']), spec['out'], 1
    if op == 'resblock':
        return ResBlock(spec, cin), spec['out'], spec['stride']
    if op == 'bnact':
        return BnAct(cin, spec['act']), cin, 1
    if op == 'gap':
        return Gap(), cin, 0
    if op == 'fc':
        return None, spec['out'], 0
    raise ValueError(f'unknown layer op {op!r}')


class ConvUnitLayer(nn.Module):
    def __init__(self, cin, spec):
        super().__init__()
        self.conv = ConvUnit(cin, spec['out'], spec['kernel'], spec['stride'], spec['groups'], spec['bn'], spec['act'])

    def forward(self, x):
        return self.conv(x)


class SkipConv(nn.Module):
    def __init__(self, cin, spec):
        super().__init__()
        self.conv = ConvUnit(cin, spec['out'], 1, spec['stride'], 1, True, 'relu')

    def forward(self, x):
        return self.conv(x)


class Network(nn.Module):
    def __init__(self, spec):
        super().__init__()
        inp = spec['input']
        c, h, w = inp['channels'], inp['height'], inp['width']
        self.names = []
        for i, layer in enumerate(spec['layers']):
            if layer['op'] == 'fc':
                m = Fc(c * h * w, layer['out'], layer['bias'], layer['act'])
                c, h, w = layer['out'], 1, 1
            else:
                m, c, s = build_layer(layer, c)
                if s == 0:
                    h, w = 1, 1
                else:
                    h, w = math.ceil(h / s), math.ceil(w / s)
            self.add_module(f'l{i}', m)
            self.names.append(f'l{i}')
        self.num_classes = c

    def forward(self, x):
        for n in self.names:
            x = getattr(self, n)(x)
        return x.reshape(x.shape[0], -1)


def layernas_state(net):
    """(name, tensor) in registration order, without BN's num_batches_tracked."""
    return [(k, v) for k, v in net.state_dict().items() if not k.endswith('num_batches_tracked')]


def count_trainable(net):
    return sum(p.numel() for p in net.parameters() if p.requires_grad)
