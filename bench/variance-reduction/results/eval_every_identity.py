import zipfile, struct, ast
def load(path):
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            raw = z.read(name)
            hlen = struct.unpack("<H", raw[8:10])[0] if raw[6] == 1 else struct.unpack("<I", raw[8:12])[0]
            start = 10 + hlen if raw[6] == 1 else 12 + hlen
            header = ast.literal_eval(raw[start - hlen:start].decode("latin1"))
            out[name[:-4]] = (header, raw[start:])
    return out
for f in ("r0_f0", "r0_f1"):
    a = load(f"/tmp/tr-eval/e1/tasks/{f}.npz"); b = load(f"/tmp/tr-eval/e4/tasks/{f}.npz")
    (ha, la), (hb, lb) = a["logp"], b["logp"]
    n = hb["shape"][1]
    last_a = la[-8 * n:]; last_b = lb[-8 * n:]
    print(f, ha["shape"], hb["shape"], "logp at epoch 4 byte-identical:", last_a == last_b, "train_loss byte-identical:", a["train_loss"][1] == b["train_loss"][1])
