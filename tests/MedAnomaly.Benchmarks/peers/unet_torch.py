"""PyTorch twin of src/MedAnomaly/Networks/UNet2d.cs (same layers, order, names and initialisation).

Used as the peer of the UNet training benchmark (`unet`) and to compute the golden values of
tests/MedAnomaly.Tests/Networks/UNet2dTests.cs. With torch.manual_seed(s) before construction, the
parameters equal those of `new UNet2d(config)` after `torch.manual_seed(s)` in C#.

usage: python3 unet_torch.py serve --threads T --batch B
  (trains one step per "step" line on stdin, answering each with a JSON line of timings)
       python3 unet_torch.py profile --threads T   (where a training step's time goes, by operator group)
"""
import argparse, json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal(t, dim):
    half = dim // 2
    exponent = torch.arange(0, half, dtype=torch.float32) * (-math.log(10000.0) / half)
    angles = t.float().unsqueeze(1) * exponent.exp().unsqueeze(0)
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, tdim, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        if tdim > 0:
            self.time_proj = nn.Linear(tdim, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        if cin != cout:
            self.skip = nn.Conv2d(cin, cout, 1)
        self.dropout = dropout

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        if hasattr(self, "time_proj") and emb is not None:
            h = h + self.time_proj(F.silu(emb))[:, :, None, None]
        h = F.silu(self.norm2(h))
        if self.dropout > 0:
            h = F.dropout(h, self.dropout, self.training)
        h = self.conv2(h)
        return h + (self.skip(x) if hasattr(self, "skip") else x)


def attention(q, k, v):
    # softmax(Q K^T / sqrt(d)) V — the composition libtorch 1.13 uses (no fused kernel there).
    scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(q.size(-1)))
    return torch.matmul(torch.softmax(scores, -1), v)


class SelfAttention(nn.Module):
    def __init__(self, channels, groups, heads):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, channels * 3, 1)
        self.proj = nn.Conv2d(channels, channels, 1)
        self.heads = heads

    def forward(self, x):
        n, c, h, w = x.shape
        parts = self.qkv(self.norm(x)).reshape(n, 3, self.heads, c // self.heads, h * w).permute(1, 0, 2, 4, 3)
        out = attention(parts[0], parts[1], parts[2])
        return x + self.proj(out.permute(0, 1, 3, 2).reshape(n, c, h, w))


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))


class UNet2d(nn.Module):
    def __init__(self, cin=1, cout=1, channels=(32, 64, 128), layers=1, attn=(2,), groups=8, heads=1, dropout=0.0,
                 time_conditioned=True):
        super().__init__()
        ch = channels
        self.levels = len(ch)
        self.tdim = ch[0] * 4 if time_conditioned else 0
        self.ch0 = ch[0]
        if time_conditioned:
            self.time_mlp = nn.Sequential(nn.Linear(ch[0], self.tdim), nn.SiLU(), nn.Linear(self.tdim, self.tdim))
        self.conv_in = nn.Conv2d(cin, ch[0], 3, padding=1)
        self.down = nn.ModuleList()
        skips = [ch[0]]
        cur = ch[0]
        for level in range(self.levels):
            for _ in range(layers):
                self.down.append(ResidualBlock(cur, ch[level], self.tdim, groups, dropout))
                cur = ch[level]
                if level in attn:
                    self.down.append(SelfAttention(cur, groups, heads))
                skips.append(cur)
            if level < self.levels - 1:
                self.down.append(Downsample(cur))
                skips.append(cur)
        self.mid_block1 = ResidualBlock(cur, cur, self.tdim, groups, dropout)
        self.mid_attn = SelfAttention(cur, groups, heads)
        self.mid_block2 = ResidualBlock(cur, cur, self.tdim, groups, dropout)
        self.up = nn.ModuleList()
        for level in reversed(range(self.levels)):
            for _ in range(layers + 1):
                skip = skips.pop()
                self.up.append(ResidualBlock(cur + skip, ch[level], self.tdim, groups, dropout))
                cur = ch[level]
                if level in attn:
                    self.up.append(SelfAttention(cur, groups, heads))
            if level > 0:
                self.up.append(Upsample(cur))
        self.norm_out = nn.GroupNorm(groups, cur)
        self.conv_out = nn.Conv2d(cur, cout, 3, padding=1)

    def forward(self, x, t):
        emb = self.time_mlp(sinusoidal(t, self.ch0)) if self.tdim > 0 else None
        h = self.conv_in(x)
        skips = [h]
        for layer in self.down:
            if isinstance(layer, ResidualBlock):
                h = layer(h, emb)
                skips.append(h)
            elif isinstance(layer, SelfAttention):
                h = layer(h)
                skips[-1] = h
            else:
                h = layer(h)
                skips.append(h)
        h = self.mid_block2(self.mid_attn(self.mid_block1(h, emb)), emb)
        for layer in self.up:
            if isinstance(layer, ResidualBlock):
                h = layer(torch.cat([h, skips.pop()], dim=1), emb)
            else:
                h = layer(h)
        return self.conv_out(F.silu(self.norm_out(h)))


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def minor_faults():
    with open("/proc/self/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])  # field 10, minflt


def make_training(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = UNet2d()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), weight_decay=0.0)
    gen = torch.Generator().manual_seed(1)
    x0 = torch.rand(args.batch, 1, 64, 64, generator=gen)
    t = torch.randint(0, 1000, (args.batch,), generator=gen)
    noise = torch.randn(args.batch, 1, 64, 64, generator=gen)
    return model, opt, x0, t, noise


def profile(args):
    """Where a training step's time goes, by libtorch operator group (autograd profiler, self time),
    and the convolutions' arithmetic rate against a large matrix product on the same threads."""
    model, opt, x0, t, noise = make_training(args)

    def step():
        opt.zero_grad(set_to_none=True)
        F.mse_loss(model(x0 + noise, t), noise).backward()
        opt.step()

    for _ in range(2):
        step()
    steps = 3
    with torch.autograd.profiler.profile() as prof:
        for _ in range(steps):
            step()
    groups = {"convolution forward": ["aten::mkldnn_convolution"],
              "convolution backward": ["aten::convolution_backward"],
              "attention matmuls (bmm)": ["aten::bmm"],
              "group norm": ["aten::native_group_norm", "aten::native_group_norm_backward"],
              "SiLU": ["aten::silu", "aten::silu_backward"]}
    self_ms = {e.key: e.self_cpu_time_total / 1000 / steps for e in prof.key_averages()}
    total = sum(self_ms.values())
    print(f"step (profiled) {total:.1f} ms, self time by operator group:")
    for name, ops in groups.items():
        ms = sum(self_ms.get(op, 0.0) for op in ops)
        print(f"  {name:<26} {ms:8.1f} ms  {100 * ms / total:5.1f} %")
    rest = total - sum(self_ms.get(op, 0.0) for ops in groups.values() for op in ops)
    print(f"  {'everything else':<26} {rest:8.1f} ms  {100 * rest / total:5.1f} %")

    with torch.profiler.profile(with_flops=True) as flops:
        model(x0 + noise, t)
    conv_gflop = sum(e.flops for e in flops.key_averages() if e.key == "aten::conv2d") / 1e9
    conv_ms = sum(self_ms.get(op, 0.0) for op in groups["convolution forward"] + groups["convolution backward"])
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    for _ in range(2):
        a @ b
    start = time.perf_counter()
    for _ in range(5):
        a @ b
    matmul_gflops = 2 * 2048 ** 3 * 5 / (time.perf_counter() - start) / 1e9
    # A convolution's backward costs twice its forward (input and weight gradients): 3x in all.
    print(f"convolutions: {conv_gflop:.1f} GFLOP forward, {3 * conv_gflop:.1f} GFLOP a step, run at "
          f"{3 * conv_gflop / (conv_ms / 1000):.0f} GFLOP/s; a 2048x2048 float32 matmul runs at {matmul_gflops:.0f} GFLOP/s")


def serve(args):
    """Trains one step per "step" line on stdin and answers with a JSON line of its timings, so the
    benchmark can alternate PyTorch and C# steps: both sides then see the same machine load."""
    model, opt, x0, t, noise = make_training(args)
    print(json.dumps({"ready": True, "threads": torch.get_num_threads(),
                      "parameters": sum(p.numel() for p in model.parameters())}), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            break
        faults = minor_faults()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x0 + noise, t), noise)
        forward = time.perf_counter()
        loss.backward()
        backward = time.perf_counter()
        opt.step()
        end = time.perf_counter()
        print(json.dumps({"ms": 1000 * (end - start), "forward": 1000 * (forward - start),
                          "backward": 1000 * (backward - forward), "optimizer": 1000 * (end - backward),
                          "loss": loss.item(), "faults": minor_faults() - faults, "rss_mb": rss_mb()}), flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve", "profile"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    a = p.parse_args()
    serve(a) if a.mode == "serve" else profile(a)
