#!/usr/bin/python3
"""Expected values for tests/MedAnomaly.Tests/Training/{WarmupCosineSchedule,ExponentialMovingAverage}Tests.cs.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/golden/make_optim_golden.py
It rewrites tests/MedAnomaly.Tests/TestSupport/OptimGolden.cs (C# arrays; doubles printed with repr, so exact).

References:
  * optimizers: torch.optim.SGD / Adam / AdamW of PyTorch 1.13 with foreach=False (_single_tensor_* paths)
  * clip: torch.nn.utils.clip_grad_norm_ (1.13)
  * schedules: torch.optim.lr_scheduler.CosineAnnealingLR._get_closed_form_lr; LambdaLR driven by the
    lr_lambda of Hugging Face transformers' get_cosine_schedule_with_warmup / get_constant_schedule_with_warmup
    (copied below verbatim from transformers/optimization.py, which is not installed here)
  * EMA: torch_ema.ExponentialMovingAverage.update (use_num_updates=True), copied below
"""
import math
import os
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Torch", "OptimGolden.cs")

P1 = [[0.5, -1.25, 2.0], [0.75, 0.0, -0.3]]
P2 = [1.5, -0.2, 0.05]
# gradients for steps 1..3 (the third is small so amsgrad's running max matters)
G1 = [[[0.1, -0.2, 0.3], [-0.4, 0.5, 0.06]],
      [[-0.3, 0.25, 0.1], [0.2, -0.1, 0.4]],
      [[0.01, -0.02, 0.005], [0.0, 0.03, -0.01]]]
G2 = [[0.7, -0.05, 0.2], [-0.6, 0.3, 0.1], [0.02, 0.0, -0.04]]

CASES = {
    "SgdPlain": lambda ps: torch.optim.SGD(ps, lr=0.1, foreach=False),
    "SgdMomentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01, foreach=False),
    "SgdNesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, foreach=False),
    "Adam": lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=False),
    "AdamL2Amsgrad": lambda ps: torch.optim.Adam(ps, lr=0.1, weight_decay=0.01, amsgrad=True, foreach=False),
    "AdamW": lambda ps: torch.optim.AdamW(ps, lr=1e-3, betas=(0.9, 0.999), weight_decay=0.01, foreach=False),
    "AdamWDisyre": lambda ps: torch.optim.AdamW(ps, lr=1e-4, betas=(0.95, 0.999), weight_decay=1e-6, foreach=False),
    "AdamWAmsgradMaximize": lambda ps: torch.optim.AdamW(ps, lr=0.1, weight_decay=0.1, amsgrad=True, maximize=True, foreach=False),
    "AdamWGroups": lambda ps: torch.optim.AdamW([{"params": [ps[0]], "lr": 1e-3, "weight_decay": 0.01},
                                                 {"params": [ps[1]], "lr": 1e-2, "weight_decay": 0.0}], foreach=False),
}


def cs_array(values):
    flat = (values if torch.is_tensor(values) else torch.tensor(values)).flatten().tolist()
    return "new double[] { " + ", ".join(repr(float(v)) for v in flat) + " }"


def run_optimizer(make):
    p1 = torch.tensor(P1, requires_grad=True)
    p2 = torch.tensor(P2, requires_grad=True)
    opt = make([p1, p2])
    for step in range(3):
        opt.zero_grad(set_to_none=True)
        # grads arrive through autograd, as in the C# test: d/dp sum(p*G) = G exactly
        loss = (p1 * torch.tensor(G1[step])).sum() + (p2 * torch.tensor(G2[step])).sum()
        loss.backward()
        opt.step()
    return p1.detach(), p2.detach()


def clip_case(max_norm, norm_type):
    p1 = torch.tensor(P1, requires_grad=True)
    p2 = torch.tensor(P2, requires_grad=True)
    (p1 * torch.tensor(G1[0])).sum().add((p2 * torch.tensor(G2[0])).sum()).backward()
    total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm, norm_type)
    return total.item(), p1.grad, p2.grad


# --- transformers/optimization.py (v4.x), verbatim lambdas ---
def cosine_with_warmup_lambda(num_warmup_steps, num_training_steps, num_cycles=0.5):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
    return lr_lambda


def constant_with_warmup_lambda(num_warmup_steps):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1.0, num_warmup_steps))
        return 1.0
    return lr_lambda


def lambda_lr_values(lr_lambda, base_lr, steps):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    values, step = {}, 0
    for target in sorted(steps):
        while step < target:
            opt.step()
            sched.step()
            step += 1
        values[target] = sched.get_last_lr()[0]
    return [values[s] for s in steps]


def cosine_annealing_values(base_lr, t_max, eta_min, steps):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min)
    out = []
    for s in steps:
        sched.last_epoch = s
        out.append(sched._get_closed_form_lr()[0])
    return out


# --- torch_ema (fadel/pytorch_ema) ExponentialMovingAverage.update, use_num_updates=True ---
def ema_case(decay, updates):
    params = [torch.tensor(P1), torch.tensor(P2)]
    shadow = [p.clone() for p in params]
    num_updates = 0
    for k in range(updates):
        with torch.no_grad():  # the parameters move as an optimizer would move them
            params[0].add_(torch.tensor(G1[k % 3]), alpha=-1.0)
            params[1].add_(torch.tensor(G2[k % 3]), alpha=-1.0)
        num_updates += 1
        d = min(decay, (1 + num_updates) / (10 + num_updates))
        one_minus_decay = 1.0 - d
        for s_param, param in zip(shadow, params):
            tmp = s_param - param
            tmp.mul_(one_minus_decay)
            s_param.sub_(tmp)
    return shadow


lines = ["// <auto-generated> by tests/golden/make_optim_golden.py with PyTorch " + torch.__version__ + " — do not edit.",
         "namespace MedAnomaly.Tests.TestSupport;", "", "static class OptimGolden", "{"]
lines.append(f"    public static readonly double[] P1 = {cs_array(P1)};")
lines.append(f"    public static readonly double[] P2 = {cs_array(P2)};")
lines.append(f"    public static readonly double[][] G1 = {{ {', '.join(cs_array(g) for g in G1)} }};")
lines.append(f"    public static readonly double[][] G2 = {{ {', '.join(cs_array(g) for g in G2)} }};")
lines.append("")
lines.append("    // parameters after 3 steps: (P1 after, P2 after)")
for name, make in CASES.items():
    a, b = run_optimizer(make)
    lines.append(f"    public static readonly (double[] P1, double[] P2) {name} = ({cs_array(a)}, {cs_array(b)});")
lines.append("")
lines.append("    // clip_grad_norm_ on the step-1 gradients: (total norm, clipped G1, clipped G2)")
for name, (mx, nt) in {"Clip2": (0.5, 2.0), "ClipInf": (0.25, math.inf), "Clip1NoOp": (100.0, 1.0)}.items():
    total, c1, c2 = clip_case(mx, nt)
    lines.append(f"    public static readonly (double Total, double[] G1, double[] G2) {name} = ({repr(total)}, {cs_array(c1)}, {cs_array(c2)});")
lines.append("")
cos_steps = [0, 1, 5, 10, 15, 20, 25]
lines.append(f"    public static readonly int[] CosineSteps = {{ {', '.join(map(str, cos_steps))} }};")
lines.append(f"    public static readonly double[] CosineAnnealing = {cs_array(cosine_annealing_values(1e-3, 20, 1e-5, cos_steps))}; // base 1e-3, T_max 20, eta_min 1e-5")
warm_steps = [0, 1, 250, 499, 500, 501, 2750, 5000, 9999, 10000, 10500]
lines.append(f"    public static readonly int[] WarmupSteps = {{ {', '.join(map(str, warm_steps))} }};")
lines.append(f"    public static readonly double[] CosineWithWarmup = {cs_array(lambda_lr_values(cosine_with_warmup_lambda(500, 10000), 1e-4, warm_steps))}; // base 1e-4, warmup 500, total 10000")
lines.append(f"    public static readonly double[] ConstantWithWarmup = {cs_array(lambda_lr_values(constant_with_warmup_lambda(500), 1e-4, warm_steps))}; // base 1e-4, warmup 500")
lines.append("")
s1, s2 = ema_case(0.9, 5)
lines.append(f"    public static readonly (double[] P1, double[] P2) Ema09After5 = ({cs_array(s1)}, {cs_array(s2)}); // decay 0.9, 5 updates")
lines.append("}")
with open(OUT, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", os.path.normpath(OUT))
