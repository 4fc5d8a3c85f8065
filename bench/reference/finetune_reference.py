# Reference study on GPU (PyTorch): fine-tuning all-MiniLM-L6-v2 on WRENCH weak labels + COSINE, hyperparameters on valid.
import pickle, json, math, time, random, os, sys
import torch, torch.nn as nn, torch.nn.functional as F
OUT = os.environ.get('OUT', '.')
log = open(os.path.join(OUT, 'log.txt'), 'w')
def say(*a):
    s = ' '.join(str(x) for x in a); print(s, flush=True); log.write(s + '\n'); log.flush()
dev = 'cuda'
torch.backends.cuda.matmul.allow_tf32 = True
B = pickle.load(open('bundle.pkl', 'rb'))
W = {k: torch.frombuffer(bytearray(v), dtype=torch.float16).float().reshape(B['shapes'][k]) for k, v in B['weights'].items()}
H, NH, L = 384, 12, 6
class Bert(nn.Module):
    def __init__(s):
        super().__init__()
        s.p = nn.ParameterDict({k.replace('.', '__'): nn.Parameter(v.clone()) for k, v in W.items() if not k.startswith('pooler')})
    def g(s, k): return s.p[k.replace('.', '__')]
    def ln(s, x, pre): return F.layer_norm(x, (H,), s.g(pre + '.weight'), s.g(pre + '.bias'), 1e-12)
    def lin(s, x, pre): return x @ s.g(pre + '.weight') + s.g(pre + '.bias')
    def forward(s, ids, mask, drop, frozen=0):
        T = ids.shape[1]
        x = s.g('embeddings.word_embeddings.weight')[ids] + s.g('embeddings.position_embeddings.weight')[:T][None] + s.g('embeddings.token_type_embeddings.weight')[0]
        x = F.dropout(s.ln(x, 'embeddings.LayerNorm'), drop, s.training)
        bias = (1.0 - mask[:, None, None, :].float()) * -1e9
        for l in range(L):
            ctx = torch.no_grad() if l < frozen else torch.enable_grad()
            with ctx:
                p = f'encoder.layer.{l}.'
                def heads(t): return t.view(t.shape[0], T, NH, H // NH).transpose(1, 2)
                q, k, v = heads(s.lin(x, p + 'attention.self.query')), heads(s.lin(x, p + 'attention.self.key')), heads(s.lin(x, p + 'attention.self.value'))
                a = F.dropout(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(H // NH) + bias, -1), drop, s.training)
                o = (a @ v).transpose(1, 2).reshape(x.shape[0], T, H)
                x = s.ln(x + F.dropout(s.lin(o, p + 'attention.output.dense'), drop, s.training), p + 'attention.output.LayerNorm')
                h = F.gelu(s.lin(x, p + 'intermediate.dense'))
                x = s.ln(x + F.dropout(s.lin(h, p + 'output.dense'), drop, s.training), p + 'output.LayerNorm')
        m = mask.unsqueeze(-1).float()
        return (x * m).sum(1) / m.sum(1).clamp(min=1)
def batchify(rows, idx, maxlen):
    ids = [rows[i][0][:maxlen - 1] + ([rows[i][0][-1]] if len(rows[i][0]) > maxlen - 1 else []) for i in idx]
    T = max(len(r) for r in ids)
    t = torch.zeros(len(ids), T, dtype=torch.long); m = torch.zeros(len(ids), T, dtype=torch.long)
    for j, r in enumerate(ids): t[j, :len(r)] = torch.tensor(r); m[j, :len(r)] = 1
    return t.to(dev), m.to(dev)
def mv(rows, k):
    P = torch.zeros(len(rows), k); cov = torch.zeros(len(rows), dtype=torch.bool)
    for i, (_, _, wl) in enumerate(rows):
        for v in wl:
            if v >= 0: P[i, v] += 1
        if P[i].sum() > 0: cov[i] = True; P[i] /= P[i].sum()
    return P, cov
def score(gold, pred, metric):
    gold = torch.as_tensor(gold); pred = torch.as_tensor(pred)
    if metric == 'acc': return (gold == pred).float().mean().item()
    tp = ((pred == 1) & (gold == 1)).sum().item(); fp = ((pred == 1) & (gold == 0)).sum().item(); fn = ((pred == 0) & (gold == 1)).sum().item()
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
class Clf(nn.Module):
    def __init__(s, k): super().__init__(); s.enc = Bert(); s.head = nn.Linear(H, k)
    def forward(s, ids, mask, drop, frozen=0):
        z = s.enc(ids, mask, drop, frozen); return s.head(F.dropout(z, drop, s.training)), z
@torch.no_grad()
def predict(model, rows, maxlen, frozen):
    model.eval(); out = []
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    P = torch.zeros(len(rows), model.head.out_features)
    for s in range(0, len(order), 256):
        idx = order[s:s + 256]; ids, m = batchify(rows, idx, maxlen)
        P[idx] = torch.softmax(model(ids, m, 0.0)[0].float(), -1).cpu()
    model.train(); return P
def optim(model, lr, frozen, steps, warm=0.1):
    dec, nodec = [], []
    for n, p in model.named_parameters():
        if any(f'layer__{l}__' in n for l in range(frozen)) or (frozen > 0 and 'embeddings' in n): p.requires_grad_(False); continue
        p.requires_grad_(True)
        (nodec if ('bias' in n or 'LayerNorm' in n) else dec).append(p)
    opt = torch.optim.AdamW([{'params': dec, 'weight_decay': 0.01}, {'params': nodec, 'weight_decay': 0.0}], lr=lr)
    w = int(warm * steps)
    sch = torch.optim.lr_scheduler.LambdaLR(opt, lambda st: st / max(1, w) if st < w else max(0.0, (steps - st) / max(1, steps - w)))
    return opt, sch
def stage1(ds, lr, epochs, frozen, soft, seed, maxlen=64, bs=32, evals_per_epoch=4):
    torch.manual_seed(seed); random.seed(seed)
    tr, va, k, metric = ds['train'], ds['valid'], ds['k'], ds['metric']
    P, cov = mv(tr, k)
    idx = [i for i in range(len(tr)) if cov[i]]
    if soft: Y = P
    else:
        g = torch.Generator().manual_seed(seed)
        Y = F.one_hot((P + 1e-6 * torch.rand(P.shape, generator=g)).argmax(1), k).float()
    model = Clf(k).to(dev)
    steps = epochs * math.ceil(len(idx) / bs)
    opt, sch = optim(model, lr, frozen, steps)
    every = max(1, math.ceil(len(idx) / bs) // evals_per_epoch)
    best, best_state, step = -1, None, 0
    gold = [r[1] for r in va]
    for ep in range(epochs):
        random.shuffle(idx)
        # length-sorted buckets of 50 batches, shuffled batches
        batches = []
        for c in range(0, len(idx), bs * 50):
            chunk = sorted(idx[c:c + bs * 50], key=lambda i: len(tr[i][0]))
            batches += [chunk[j:j + bs] for j in range(0, len(chunk), bs)]
        random.shuffle(batches)
        for b in batches:
            ids, m = batchify(tr, b, maxlen)
            logits, _ = model(ids, m, 0.1, frozen)
            loss = -(Y[b].to(dev) * F.log_softmax(logits, -1)).sum(1).mean()
            opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); sch.step(); step += 1
            if step % every == 0 or step == steps:
                s = score(gold, predict(model, va, maxlen, frozen).argmax(1), metric)
                if s > best: best = s; best_state = {n: p.detach().clone() for n, p in model.state_dict().items()}
    model.load_state_dict(best_state)
    return model, best
def cosine(ds, model, lr, frozen, T3, thresh, lam, mu, steps, seed, maxlen=64, bs=32, eval_every=50):
    torch.manual_seed(seed); random.seed(seed)
    tr, va, k, metric = ds['train'], ds['valid'], ds['k'], ds['metric']
    gold = [r[1] for r in va]
    best = score(gold, predict(model, va, maxlen, frozen).argmax(1), metric)
    best_state = {n: p.detach().clone() for n, p in model.state_dict().items()}
    opt, sch = optim(model, lr, frozen, steps, warm=0.0)
    step = 0; pool = []
    while step < steps:
        if step % T3 == 0 or not pool:
            P = predict(model, tr, maxlen, frozen)
            w = 1 - (-(P * torch.log(P + 1e-5)).sum(1)) / math.log(k)
            keep = [i for i in range(len(tr)) if w[i] > thresh]
            if not keep: break
            random.shuffle(keep); pool = keep[:bs * T3]; Q = P; ptr = 0
        b = pool[ptr:ptr + bs]; ptr += bs
        if ptr >= len(pool): ptr = 0; random.shuffle(pool)
        ids, m = batchify(tr, b, maxlen)
        logits, z = model(ids, m, 0.1, frozen)
        p = Q[b].to(dev)
        wgt = 1 - (-(p * torch.log(p + 1e-5)).sum(1)) / math.log(k)
        q = p ** 2 / p.sum(0).clamp(min=1e-10); q = q / q.sum(1, keepdim=True)
        ls = F.log_softmax(logits, -1)
        loss = (wgt * (q * (torch.log(q + 1e-10) - ls)).sum(1)).sum() / len(b)
        loss = loss - lam * (ls.sum(1).mean() + math.log(k))
        perm = torch.randperm(len(b), device=dev)
        a = (logits.argmax(1) == logits.argmax(1)[perm]).float()
        d2 = ((z - z[perm]) ** 2).mean(1)
        con = 0.5 * (a * d2 + (1 - a) * F.relu(1.0 - torch.sqrt(d2 + 1e-9)) ** 2).mean()
        loss = loss + mu * con
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); sch.step(); step += 1
        if step % eval_every == 0:
            s = score(gold, predict(model, va, maxlen, frozen).argmax(1), metric)
            if s > best: best = s; best_state = {n: p.detach().clone() for n, p in model.state_dict().items()}
    model.load_state_dict(best_state)
    return best
data = B['data']
sets = {}
for name, k, metric in [('sms', 2, 'f1'), ('trec', 6, 'acc'), ('semeval', 9, 'acc'), ('youtube', 2, 'acc')]:
    tr = data[f'{name}/train']
    if f'{name}/valid' in data: va = data[f'{name}/valid']
    else:
        ids = set(json.load(open('youtube_labeled_ids.json'))['labeled_ids'])
        va = [r for i, r in enumerate(tr) if str(i) in ids]; tr = [r for i, r in enumerate(tr) if str(i) not in ids]
    sets[name] = {'train': tr, 'valid': va, 'k': k, 'metric': metric}
results = []
EP = {'trec': 12 if os.environ.get('TREC2') else 6}
t0 = time.time()
only = sys.argv[1].split(',') if len(sys.argv) > 1 else list(sets)
for name in only:
    ds = sets[name]
    P, cov = mv(ds['valid'], ds['k'])
    g = torch.Generator().manual_seed(0)
    mvpred = (P + 1e-6 * torch.rand(P.shape, generator=g)).argmax(1)
    say(f'== {name}: train {len(ds["train"])} valid {len(ds["valid"])} MV valid {score([r[1] for r in ds["valid"]], mvpred, ds["metric"]):.4f}')
    grid = [(fr, lr, soft) for fr, lrs in [(0, [2e-5, 5e-5, 1e-4]), (4, [3e-4])] for lr in lrs for soft in [True, False]]
    if os.environ.get('TREC2'): grid = [(4, 3e-4, False), (4, 1e-3, False), (4, 1e-3, True), (2, 1e-4, False), (2, 2e-4, False)]
    best = None
    for fr, lr, soft in grid:
        ts = time.time()
        model, s = stage1(ds, lr, EP.get(name, 4), fr, soft, seed=0)
        say(f'{name} stage1 frozen={fr} lr={lr} soft={soft} valid={s:.4f} ({time.time() - ts:.1f}s)')
        json.dump(results, open(os.path.join(OUT, 'results.json'), 'w'), indent=1)
        results.append({'set': name, 'stage': 1, 'frozen': fr, 'lr': lr, 'soft': soft, 'valid': s})
        if best is None or s > best[0]: best = (s, fr, lr, soft)
        del model
    s1, fr, lr, soft = best
    for thresh in ([0.0, 0.3] if os.environ.get('TREC2') else [0.3, 0.6]):
        for T3 in ([50, 200] if os.environ.get('TREC2') else [50]):
            model, _ = stage1(ds, lr, EP.get(name, 4), fr, soft, seed=0)
            ts = time.time()
            s = cosine(ds, model, lr, fr, T3, thresh, 0.1, 1.0, 3000 if os.environ.get('TREC2') else 1000, seed=0)
            say(f'{name} cosine from best stage1 (frozen={fr} lr={lr} soft={soft}: {s1:.4f}) thresh={thresh} T3={T3} valid={s:.4f} ({time.time() - ts:.1f}s)')
            results.append({'set': name, 'stage': 2, 'frozen': fr, 'lr': lr, 'soft': soft, 'thresh': thresh, 'T3': T3, 'valid': s})
            del model
    json.dump(results, open(os.path.join(OUT, 'results.json'), 'w'), indent=1)
say(f'total {time.time() - t0:.0f}s')
