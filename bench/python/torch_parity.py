#!/usr/bin/env python3
"""Replays the inputs exported by src/bench/java/dev/agon/bench/probe/TorchParity.java in PyTorch (same networks, Adam, losses)
and compares the weights after N iterations with Agon's. Usage: python3 bench/python/torch_parity.py N DIR"""
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
import sys
torch.set_num_threads(1)
steps, DIR = int(sys.argv[1]), sys.argv[2]
L=lambda n: torch.tensor(np.load(f'{DIR}/{n}.npy'))
def build(sizes):
    layers=[]
    for i,(a,b) in enumerate(zip(sizes[:-1],sizes[1:])):
        layers.append(nn.Linear(a,b))
        if i < len(sizes)-2: layers.append(nn.Tanh())
    return nn.Sequential(*layers)
def load(net, flat):
    flat=flat.reshape(-1); off=0
    for m in net:
        if isinstance(m, nn.Linear):
            i,o=m.in_features,m.out_features
            m.weight.data=flat[off:off+i*o].reshape(i,o).t().contiguous(); off+=i*o
            m.bias.data=flat[off:off+o].clone(); off+=o
def flat(net):
    out=[]
    for m in net:
        if isinstance(m, nn.Linear): out += [m.weight.data.t().reshape(-1), m.bias.data]
    return torch.cat(out)
g=build([256,128,128,2]); d=build([2,128,128,1]); load(g,L('g0')); load(d,L('d0'))
og=torch.optim.Adam(g.parameters(),lr=1e-3,betas=(0.5,0.999),eps=1e-8); od=torch.optim.Adam(d.parameters(),lr=1e-4,betas=(0.5,0.999),eps=1e-8)
b=512
for i in range(1,steps+1):
    real=L(f'real{i}'); zf=L(f'zf{i}'); zg=L(f'zg{i}')
    with torch.no_grad(): fake=g(zf)
    lo=d(torch.cat([real,fake])); ld=F.softplus(-lo[:b]).mean()+F.softplus(lo[b:]).mean()
    od.zero_grad(); ld.backward(); od.step()
    for p in d.parameters(): p.requires_grad_(False)
    lg=F.softplus(-d(g(zg))).mean(); og.zero_grad(); lg.backward(); og.step()
    for p in d.parameters(): p.requires_grad_(True)
    print('step',i,'lossD',ld.item(),'lossG',lg.item())
for name,net in [('g1',g),('d1',d)]:
    ours=L(name).reshape(-1); theirs=flat(net); init=L(name.replace('1','0')).reshape(-1)
    print(name,'max |diff|',(ours-theirs).abs().max().item(),' max |update|',(theirs-init).abs().max().item(), ' rel diff of update', ((ours-init)-(theirs-init)).norm().item()/(theirs-init).norm().item())
