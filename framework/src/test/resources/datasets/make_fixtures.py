#!/usr/bin/env python3
"""Cuts the small dataset-converter fixtures of DatasetFetcherTest out of the real Debian packages.

    apt-get download r-cran-modeldata weka wordnet-base
    for p in *.deb; do dpkg-deb -x "$p" root; done
    python3 make_fixtures.py root /path/to/shared/data

Each folder gets excerpts of the package files and `expected.jsonl`: the rows of the shared file
(shared/data) that those excerpts must convert to, in the shared file's order.

- reuters/: the ARFF header and the same few data lines of ReutersCorn-* and ReutersGrain-* (as they are);
- wordnet/: the licence header and a few synset lines of data.noun and data.verb (as they are);
- fine_foods/: Rdata.rdx / Rdata.rdb, an R lazy-load database like the package's: the real chunks of
  `crickets` and `Smithsonian` (bytes as they are) and `training_data` / `testing_data` cut to a few rows,
  re-serialised here in R's format (checked: the writer reproduces the real chunk byte for byte before cutting)
  and compressed as R does (4-byte length, 'Z', raw LZMA2 preset 6).
"""
import gzip, json, lzma, os, struct, sys

root, shared = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))


def shared_rows(name):
    op = gzip.open if name.endswith('.gz') else open
    with op(os.path.join(shared, name), 'rt', encoding='utf-8') as f:
        return f.read().splitlines(True)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


# ---------------------------------------------------------------- reuters: same data lines from corn and grain
REUTERS = {'train': [3, 8, 27, 32, 68, 342, 728], 'test': [3, 7, 35, 45]}   # data-line indices
ex = os.path.join(root, 'usr/share/doc/weka/examples')
rows = shared_rows('reuters_corn_grain_multilabel.jsonl')
ntrain = sum(1 for r in rows if '"split": "train"' in r)
expected = []
for split, picks in REUTERS.items():
    for cls in ('Corn', 'Grain'):
        name = f'Reuters{cls}-{split}.arff'
        lines = open(os.path.join(ex, name), 'rb').read().split(b'\n')
        start = next(i for i, l in enumerate(lines) if l.lower().startswith(b'@data')) + 1
        data = [i for i in range(start, len(lines)) if lines[i].strip()]
        out = lines[:start] + [lines[data[k]] for k in picks]
        write(os.path.join(here, 'reuters', name), b'\n'.join(out) + b'\n')
    expected += [rows[k + (0 if split == 'train' else ntrain)] for k in picks]
write(os.path.join(here, 'reuters', 'expected.jsonl'), ''.join(expected).encode())

# ---------------------------------------------------------------- wordnet: a few synsets of data.noun / data.verb
WORDNET = {'noun': ['00001740', '00034213', '00034479', '00034777', '00779248', '01313888', '07556872',
                    '09484313'],
           'verb': ['00002325', '00113420', '02105828', '02772310']}
wn = os.path.join(root, 'usr/share/wordnet')
rows = shared_rows('wordnet_supersense.jsonl.gz')
by_synset = {json.loads(r)['synset']: r for r in rows}
order = {json.loads(r)['synset']: i for i, r in enumerate(rows)}
expected = []
for pos, offsets in WORDNET.items():
    lines = open(os.path.join(wn, 'data.' + pos), 'rb').read().split(b'\n')
    head = [l for l in lines if l.startswith(b'  ')]
    body = [l for l in lines if l[:8].decode() in offsets]
    assert len(body) == len(offsets), pos
    write(os.path.join(here, 'wordnet', 'data.' + pos), b'\n'.join(head + body) + b'\n')
    expected += [s + pos[0] for s in offsets if s + pos[0] in by_synset]
expected.sort(key=order.get)
write(os.path.join(here, 'wordnet', 'expected.jsonl'), ''.join(by_synset[s] for s in expected).encode())


# ---------------------------------------------------------------- fine_foods: R serialization, cut and written back
class Node:
    def __init__(self, flags, **kw):
        self.flags, self.__dict__ = flags, {'flags': flags, **kw}


class Reader:
    def __init__(self, b):
        self.b, self.p, self.refs = b, 0, []

    def int(self):
        v = struct.unpack_from('>i', self.b, self.p)[0]
        self.p += 4
        return v

    def header(self):
        assert self.b[:2] == b'X\n'
        self.p = 2
        h = [self.int() for _ in range(3)]
        enc = b''
        if h[0] == 3:
            n = self.int()
            enc = self.b[self.p:self.p + n]
            self.p += n
        return h, enc

    def item(self):
        f = self.int()
        t = f & 0xff
        if t in (254, 242, 253, 251):
            return Node(f)
        if t == 255:
            return self.refs[(f >> 8) - 1]
        if t == 1:
            n = Node(f, name=self.item())
            self.refs.append(n)
            return n
        if t == 9:
            n = self.int()
            s = None if n == -1 else self.b[self.p:self.p + n]
            self.p += max(n, 0)
            return Node(f, s=s)
        if t == 2:
            attr = self.item() if f & 0x200 else None
            tag = self.item() if f & 0x400 else None
            return Node(f, attr=attr, tag=tag, car=self.item(), cdr=self.item())
        n = self.int()
        if t in (16, 19, 20):
            v = [self.item() for _ in range(n)]
        elif t in (10, 13):
            v = list(struct.unpack_from('>%di' % n, self.b, self.p))
            self.p += 4 * n
        elif t == 14:
            v = list(struct.unpack_from('>%dd' % n, self.b, self.p))
            self.p += 8 * n
        else:
            raise ValueError(t)
        return Node(f, v=v, attr=self.item() if f & 0x200 else None)


class Writer:
    def __init__(self):
        self.out, self.refs = [], []

    def int(self, v):
        self.out.append(struct.pack('>i', v))

    def item(self, n):
        t = n.flags & 0xff
        if t == 1 and any(r is n for r in self.refs):
            self.int(((next(i for i, r in enumerate(self.refs) if r is n) + 1) << 8) | 255)
            return
        self.int(n.flags)
        if t in (254, 242, 253, 251):
            return
        if t == 1:
            self.refs.append(n)
            self.item(n.name)
        elif t == 9:
            self.int(-1 if n.s is None else len(n.s))
            if n.s is not None:
                self.out.append(n.s)
        elif t == 2:
            for k in ('attr', 'tag'):
                if getattr(n, k) is not None:
                    self.item(getattr(n, k))
            self.item(n.car)
            self.item(n.cdr)
        else:
            self.int(len(n.v))
            if t in (16, 19, 20):
                for x in n.v:
                    self.item(x)
            elif t in (10, 13):
                self.out.append(struct.pack('>%di' % len(n.v), *n.v))
            else:
                self.out.append(struct.pack('>%dd' % len(n.v), *n.v))
            if n.attr is not None:
                self.item(n.attr)


def serialize(h, enc, node):
    w = Writer()
    w.out.append(b'X\n')
    for v in h:
        w.int(v)
    if h[0] == 3:
        w.int(len(enc))
        w.out.append(enc)
    w.item(node)
    return b''.join(w.out)


def unchunk(c):
    assert c[4:5] == b'Z'
    return lzma.decompress(c[5:], format=lzma.FORMAT_RAW, filters=[{'id': lzma.FILTER_LZMA2, 'preset': 6}])


def chunk(raw):
    return struct.pack('>I', len(raw)) + b'Z' + lzma.compress(
        raw, format=lzma.FORMAT_RAW, filters=[{'id': lzma.FILTER_LZMA2, 'preset': 6}])


def attr(node, name):
    a = node.attr
    while a is not None and a.flags & 0xff == 2:
        if a.tag.name.s == name.encode():
            return a.car
        a = a.cdr
    return None


FINE_FOODS = {'training_data': [0, 1, 2208, 2768], 'testing_data': [0, 597]}
ddir = os.path.join(root, 'usr/lib/R/site-library/modeldata/data')
rdb = open(os.path.join(ddir, 'Rdata.rdb'), 'rb').read()
r = Reader(gzip.decompress(open(os.path.join(ddir, 'Rdata.rdx'), 'rb').read()))
ih, ienc = r.header()
index = r.item()
variables = index.v[0]
names = [s.s.decode() for s in attr(variables, 'names').v]
where = {n: v.v for n, v in zip(names, variables.v)}
chunks = {}
for name in ('crickets', 'Smithsonian'):
    off, ln = where[name]
    chunks[name] = rdb[off:off + ln]
rows = shared_rows('fine_foods.jsonl')
expected = []
for name, picks in FINE_FOODS.items():
    off, ln = where[name]
    raw = unchunk(rdb[off:off + ln])
    r = Reader(raw)
    h, enc = r.header()
    df = r.item()
    assert serialize(h, enc, df) == raw, 'the writer does not reproduce ' + name
    for col in df.v:
        col.v = [col.v[k] for k in picks]
    attr(df, 'row.names').v[1] = -len(picks)
    chunks[name] = chunk(serialize(h, enc, df))
    expected += [rows[k + (0 if name == 'training_data' else 4000)] for k in picks]
# the index: the same list, its variables cut to the chunks kept (in the package's order)
kept = [n for n in names if n in chunks]
pos, body = 0, b''
for i, n in enumerate(names):
    if n in chunks:
        where[n] = [pos, len(chunks[n])]
        body += chunks[n]
        pos += len(chunks[n])
variables.v = [Node(variables.v[0].flags, v=where[n], attr=None) for n in kept]
attr(variables, 'names').v = [s for s in attr(variables, 'names').v if s.s.decode() in chunks]
write(os.path.join(here, 'fine_foods', 'Rdata.rdb'), body)
write(os.path.join(here, 'fine_foods', 'Rdata.rdx'), gzip.compress(serialize(ih, ienc, index), mtime=0))
write(os.path.join(here, 'fine_foods', 'expected.jsonl'), ''.join(expected).encode())
