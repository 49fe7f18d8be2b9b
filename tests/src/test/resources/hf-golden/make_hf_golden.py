#!/usr/bin/env python3
"""Writes the Hugging Face reference ("golden") files that finetune4j's Java tests compare against.

Run once by hand, from this folder, with Debian's interpreter (python3-torch 1.13, python3-sklearn 1.2.1,
numpy 1.24; `apt-get install -y python3-torch python3-sklearn libopenblas0-pthread`):

    cd tests/src/test/resources/hf-golden && /usr/bin/python3 make_hf_golden.py

Deterministic (fixed seeds, float64, no dropout, single thread): running it again rewrites identical files.
transformers is not used: the HF pieces are re-implemented, copied from transformers' source, in
tests/python/hf_reference.py (file / function / commit cited there and in docs/hf-semantics.md).

Files written (all JSON numbers are float64 printed with Python's round-trip repr; all tensors F64 unless said):

  manifest.json                  versions, HF source commits, and this list
  schedules.json                 learning rate per optimizer update for linear / cosine / constant /
                                 constant_with_warmup and many (T, warmup) combos; update-step counts
                                 (per epoch, total, micro-batches per update) for (N, batch, accumulation, epochs)
  batch.json                     "batch4" (4 x 6) and "batch8" (8 x 6; rows 0..3 = batch4): texts, input_ids,
                                 attention_mask, token_type_ids, labels (int), labels_multi_hot (float)
  tiny-bert/                     config.json, model.safetensors (initial weights, HF names), vocab.txt,
                                 tokenizer_config.json, special_tokens_map.json,
                                 expected_probabilities.json (eval forward), predictions.jsonl (PredictionRecord)
  tiny-distilbert/               the same for DistilBertForSequenceClassification
  <case>.json                    one optimizer step (three for three_steps) from the initial weights:
                                 loss, logits, per-example losses, pre-clip gradient norm, clip coefficient, lr, ...
  <case>.safetensors             every weight after the step (HF names)
  <case>.grads.safetensors       the gradients after backward, before clipping (HF names)
      cases: ce, ce_class_weights, clip, bce_multilabel, accumulation, distilbert_ce, three_steps
      (three_steps writes three_steps.step1/2/3.safetensors and three_steps.step1/2/3.grads.safetensors)
  logreg.json                    multinomial L2 logistic regression by scikit-learn (coef_, intercept_,
                                 predict_proba) on a seeded 3-class 60 x 10 problem, C in {1, 0.1}, with and
                                 without StandardScaler; plus the binary case and its C mapping

The exact JSON keys are listed in docs/hf-semantics.md ("Golden files").
"""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the sources
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "python")))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

import hf_reference as hf  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
DTYPE = torch.float64

FILES = {}


def out(path):
    return os.path.join(HERE, path)


def write_json(path, obj, what):
    os.makedirs(os.path.dirname(out(path)) or HERE, exist_ok=True)
    with open(out(path), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")
    FILES[path] = what


def write_st(path, tensors, what, metadata=None):
    hf.save_safetensors(out(path), tensors, metadata or {"format": "pt"})
    FILES[path] = what


def tolist(t):
    return t.detach().cpu().tolist()


# =============================================================================================================
# 1. Schedules and update-step counts
# =============================================================================================================

def lr_per_update(name, base_lr, num_training_steps, num_warmup_steps):
    """The value of optimizer.param_groups[0]['lr'] when optimizer.step() runs at update k = 0..T-1, with HF's
    order optimizer.step() -> lr_scheduler.step() (trainer.py _inner_training_loop)."""
    p = nn.Parameter(torch.zeros(1, dtype=DTYPE))
    opt = torch.optim.AdamW([p], lr=base_lr)
    sched = hf.get_scheduler(name, opt, num_warmup_steps, num_training_steps)
    lrs = []
    for _ in range(num_training_steps):
        lrs.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros_like(p)
        opt.step()
        sched.step()
    return lrs


def make_schedules():
    base_lr = 1e-3
    combos = [
        # (T, warmup_steps, warmup_ratio, note)
        (10, 0, 0.0, "no warmup"),
        (10, 3, 0.0, "warmup_steps"),
        (10, 0, 0.1, "warmup_ratio: ceil(10*0.1)=1"),
        (10, 0, 0.15, "warmup_ratio: ceil(1.5)=2"),
        (7, 0, 0.1, "warmup_ratio: ceil(0.7000000000000001)=1"),
        (30, 0, 0.1, "warmup_ratio: 30*0.1 = 3.0 exactly, ceil -> 3"),
        (100, 0, 0.07, "warmup_ratio: 100*0.07 = 7.000000000000001 in binary64, ceil -> 8 (not 7)"),
        (50, 0, 0.14, "warmup_ratio: 50*0.14 = 7.000000000000001 in binary64, ceil -> 8 (not 7)"),
        (100, 0, 0.06, "warmup_ratio 0.06 of 100"),
        (10, 4, 0.5, "warmup_steps > 0 wins over warmup_ratio"),
        (5, 5, 0.0, "warmup = total: lr never reaches the base lr, no decay phase"),
        (4, 6, 0.0, "warmup > total"),
        (1, 0, 0.0, "total 1, no warmup: the single update uses the base lr"),
        (1, 0, 0.5, "total 1, warmup_ratio 0.5: ceil(0.5)=1 warmup step, the single update uses lr 0"),
        (2, 1, 0.0, "total 2, warmup 1"),
        (3, 1, 0.0, "the three_steps case"),
    ]
    entries = []
    for name in ("linear", "cosine", "constant", "constant_with_warmup"):
        for (T, ws, wr, note) in combos:
            w = hf.get_warmup_steps(T, ws, wr)
            lrs = lr_per_update(name, base_lr, T, w)
            entries.append({
                "lr_scheduler_type": name,
                "num_training_steps": T,
                "warmup_steps_arg": ws,
                "warmup_ratio_arg": wr,
                "num_warmup_steps": w,
                "base_lr": base_lr,
                "lr": lrs,
                "multiplier": [x / base_lr for x in lrs],
                "note": note + ("; 'constant' ignores warmup" if name == "constant" and w > 0 else ""),
            })
            # hand check of the formulas for a few entries
            for k, x in enumerate(lrs):
                if name == "linear":
                    exp = base_lr * (k / max(1, w) if k < w else max(0.0, (T - k) / max(1, T - w)))
                elif name == "cosine":
                    exp = base_lr * (k / max(1, w) if k < w else
                                     max(0.0, 0.5 * (1 + math.cos(math.pi * (k - w) / max(1, T - w)))))
                elif name == "constant":
                    exp = base_lr
                else:
                    exp = base_lr * (k / max(1.0, w) if k < w else 1.0)
                assert abs(x - exp) <= 1e-18, (name, T, w, k, x, exp)
    assert hf.get_warmup_steps(100, 0, 0.07) == 8 and hf.get_warmup_steps(30, 0, 0.1) == 3
    counts = []
    for (n, b, gas, ep, ms) in [(100, 8, 1, 3, -1), (100, 8, 4, 3, -1), (10, 4, 4, 2, -1), (64, 8, 2, 1, -1),
                                (50, 8, 3, 2.5, -1), (8, 8, 1, 1, -1), (100, 8, 4, 3, 5), (33, 4, 2, 1.5, -1)]:
        r = hf.update_steps(n, b, gas, ep, ms)
        counts.append({"num_examples": n, "per_device_train_batch_size": b, "gradient_accumulation_steps": gas,
                       "num_train_epochs": ep, "max_steps_arg": ms, "dataloader_drop_last": False,
                       "world_size": 1, **r})
    write_json("schedules.json", {
        "description": "lr[k] = optimizer.param_groups[0]['lr'] at the k-th optimizer.step() (k = 0..T-1); "
                       "HF calls lr_scheduler.step() after optimizer.step(), LambdaLR starts at lambda(0). "
                       "num_warmup_steps = warmup_steps if warmup_steps > 0 else ceil(T * warmup_ratio).",
        "hf_source": {"optimization.py": hf.HF_SOURCES["optimization.py"],
                      "trainer.py": hf.HF_SOURCES["trainer.py"], "training_args.py": hf.HF_SOURCES["training_args.py"]},
        "schedules": entries,
        "update_steps": counts,
        "update_steps_description": "len_dataloader = ceil(N / batch); num_update_steps_per_epoch = "
                                    "max(len_dataloader // gas + int(len_dataloader % gas > 0), 1); max_steps = "
                                    "ceil(num_train_epochs * num_update_steps_per_epoch) (or max_steps_arg when > 0); "
                                    "micro_batches_per_update[epoch][u] = batches in update u (the last group of an "
                                    "epoch holds the remainder); each micro-batch loss is divided by that count; "
                                    "training stops when global_step reaches max_steps. legacy_floor_* = the "
                                    "floor-division formulas of transformers before PR #37923.",
    }, "LR per optimizer update for each scheduler and warmup combo; update-step counts")


# =============================================================================================================
# 2. Tiny models, vocabulary, batch
# =============================================================================================================

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
         "the", "a", "movie", "film", "was", "is", "good", "bad", "great", "terrible", "not", "very", "plot",
         "acting", "boring", "fun", "i", "it", "and", "but", "love", "hate", "story", "music", "cafe", "play",
         "watch", "##s", "##ing", "##ed", ".", ",", "!", "?", "\u597d"]
assert len(VOCAB) == 40 and len(set(VOCAB)) == 40
LABELS = ["negative", "neutral", "positive"]
MAX_LEN = 16

BERT_CONFIG = {
    "architectures": ["BertForSequenceClassification"],
    "attention_probs_dropout_prob": 0.0,
    "classifier_dropout": None,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.0,
    "hidden_size": 8,
    "id2label": {str(i): l for i, l in enumerate(LABELS)},
    "initializer_range": 0.02,
    "intermediate_size": 16,
    "label2id": {l: i for i, l in enumerate(LABELS)},
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": MAX_LEN,
    "model_type": "bert",
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "problem_type": "single_label_classification",
    "torch_dtype": "float64",
    "transformers_version": "4.52.0",
    "type_vocab_size": 2,
    "use_cache": True,
    "vocab_size": 40,
}

DISTILBERT_CONFIG = {
    "activation": "gelu",
    "architectures": ["DistilBertForSequenceClassification"],
    "attention_dropout": 0.0,
    "dim": 8,
    "dropout": 0.0,
    "hidden_dim": 16,
    "id2label": {str(i): l for i, l in enumerate(LABELS)},
    "initializer_range": 0.02,
    "label2id": {l: i for i, l in enumerate(LABELS)},
    "max_position_embeddings": MAX_LEN,
    "model_type": "distilbert",
    "n_heads": 2,
    "n_layers": 2,
    "pad_token_id": 0,
    "problem_type": "single_label_classification",
    "qa_dropout": 0.0,
    "seq_classif_dropout": 0.0,
    "sinusoidal_pos_embds": False,
    "torch_dtype": "float64",
    "transformers_version": "4.52.0",
    "vocab_size": 40,
}

SPECIAL_TOKENS_MAP = {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                      "unk_token": "[UNK]"}


def tokenizer_config(cls_name):
    added = {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False,
                      "special": True} for i, t in enumerate(VOCAB[:5])}
    return {"added_tokens_decoder": added, "clean_up_tokenization_spaces": True, "cls_token": "[CLS]",
            "do_basic_tokenize": True, "do_lower_case": True, "mask_token": "[MASK]", "model_max_length": MAX_LEN,
            "never_split": None, "pad_token": "[PAD]", "sep_token": "[SEP]", "strip_accents": None,
            "tokenize_chinese_chars": True, "tokenizer_class": cls_name, "unk_token": "[UNK]"}


TOKENIZER = hf.BertTokenizer(VOCAB, do_lower_case=True, model_max_length=MAX_LEN)

# (text, text_pair or None, label, multi-hot)
ROWS = [
    ("the movie", "great", 2, [0.0, 1.0, 1.0]),
    ("bad", "plot", 0, [1.0, 0.0, 0.0]),
    ("Watched", None, 1, [0.0, 1.0, 0.0]),
    ("Zebra", None, 1, [0.0, 0.0, 0.0]),
    ("I love it!", None, 2, [0.0, 0.0, 1.0]),
    ("film", "boring", 0, [1.0, 0.0, 1.0]),
    ("Very good", None, 2, [0.0, 1.0, 1.0]),
    ("", None, 1, [1.0, 1.0, 1.0]),
]


def make_batch(rows, width=6):
    ids, mask, types = [], [], []
    for text, pair, _, _ in rows:
        i, t = TOKENIZER.encode(text, pair, MAX_LEN)
        assert len(i) <= width
        ids.append(i + [0] * (width - len(i)))
        types.append(t + [0] * (width - len(t)))
        mask.append([1] * len(i) + [0] * (width - len(i)))
    return {
        "texts": [[t, p] if p is not None else [t] for t, p, _, _ in rows],
        "input_ids": ids, "attention_mask": mask, "token_type_ids": types,
        "labels": [r[2] for r in rows], "labels_multi_hot": [r[3] for r in rows],
    }


BATCH4 = make_batch(ROWS[:4])
BATCH8 = make_batch(ROWS)
assert [sum(m) for m in BATCH4["attention_mask"]] == [6, 5, 4, 3], BATCH4
assert BATCH8["input_ids"][:4] == BATCH4["input_ids"]


def tensors(batch, labels="labels"):
    ids = torch.tensor(batch["input_ids"], dtype=torch.long)
    mask = torch.tensor(batch["attention_mask"], dtype=torch.long)
    types = torch.tensor(batch["token_type_ids"], dtype=torch.long)
    y = torch.tensor(batch[labels], dtype=torch.long if labels == "labels" else DTYPE)
    return ids, mask, types, y


def golden_init(model, seed):
    """Seeded initial weights: matrices and embeddings N(0, 0.02); biases (incl. LayerNorm biases) N(0, 0.02);
    LayerNorm weights 1 + N(0, 0.1). Nonzero biases / LayerNorm parameters make the decay exclusions visible."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g, dtype=DTYPE)
            is_ln = name.endswith("LayerNorm.weight") or name.endswith("layer_norm.weight")
            if is_ln:
                p.copy_(1.0 + 0.1 * r)
            else:
                p.copy_(0.02 * r)


def build(config_dict, seed):
    cfg = hf.Config(json.loads(json.dumps(config_dict)),
                    hf.BERT_DEFAULTS if config_dict["model_type"] == "bert" else hf.DISTILBERT_DEFAULTS)
    model = hf.model_for_config(cfg).to(DTYPE)
    golden_init(model, seed)
    return model


def state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def write_folder(folder, config_dict, model, tok_class):
    os.makedirs(out(folder), exist_ok=True)
    # HF: json.dumps(config_dict, indent=2, sort_keys=True) + "\n" (configuration_utils.py to_json_string)
    with open(out(f"{folder}/config.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(config_dict, indent=2, sort_keys=True) + "\n")
    FILES[f"{folder}/config.json"] = "HF config.json (save_pretrained layout: indent 2, keys sorted)"
    write_st(f"{folder}/model.safetensors", state(model), "initial weights, F64, HF tensor names")
    with open(out(f"{folder}/vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in VOCAB))
    FILES[f"{folder}/vocab.txt"] = "40 tokens, one per line, id = line number"
    with open(out(f"{folder}/tokenizer_config.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(tokenizer_config(tok_class), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    FILES[f"{folder}/tokenizer_config.json"] = "HF tokenizer_config.json"
    with open(out(f"{folder}/special_tokens_map.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(SPECIAL_TOKENS_MAP, indent=2, sort_keys=True) + "\n")
    FILES[f"{folder}/special_tokens_map.json"] = "HF special_tokens_map.json"


# =============================================================================================================
# 3. Training steps
# =============================================================================================================

HP = {"learning_rate": 1e-3, "weight_decay": 0.01, "adam_beta1": 0.9, "adam_beta2": 0.999, "adam_epsilon": 1e-8,
      "max_grad_norm": 1.0, "lr_scheduler_type": "constant", "num_warmup_steps": 0, "num_training_steps": 1,
      "gradient_accumulation_steps": 1}


def forward_loss(model, batch, loss_kind, class_weights=None):
    ids, mask, types, y = tensors(batch, "labels_multi_hot" if loss_kind == "bce" else "labels")
    outp = model(ids, attention_mask=mask, token_type_ids=types, labels=y if class_weights is None else None)
    logits = outp.logits
    if loss_kind == "ce":
        per = nn.functional.cross_entropy(logits, y, reduction="none")
        if class_weights is None:
            loss = outp.loss
            assert torch.allclose(loss, per.mean(), rtol=0, atol=1e-15)
        else:
            w = torch.tensor(class_weights, dtype=DTYPE)
            loss = nn.CrossEntropyLoss(weight=w)(logits, y)   # sum_i w_yi * l_i / sum_i w_yi
            ref = (w[y] * per).sum() / w[y].sum()
            assert torch.allclose(loss, ref, rtol=0, atol=1e-15)
    else:
        per_el = nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none")
        per = per_el.mean(dim=1)
        loss = outp.loss
        assert torch.allclose(loss, per_el.mean(), rtol=0, atol=1e-15)
    return loss, logits, per, y


def clip_and_step(model, opt, sched, max_grad_norm):
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)   # trainer: accelerator.clip_grad_norm_
    coef = min(1.0, max_grad_norm / (norm.item() + 1e-6))
    lr = opt.param_groups[0]["lr"]
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=False)
    return grads, norm.item(), coef, lr


def decay_lists(model):
    decay = hf.get_decay_parameter_names(model)
    legacy = hf.get_decay_parameter_names_legacy(model)
    assert set(decay) == set(legacy), "current and legacy decay rules disagree for this model"
    names = [n for n, _ in model.named_parameters()]
    return [n for n in names if n in decay], [n for n in names if n not in decay]


def one_step_case(case, model_name, config_dict, seed, batch_key, loss_kind, hp, description, class_weights=None,
                  extra=None):
    model = build(config_dict, seed)
    if loss_kind == "bce":
        model.config["problem_type"] = "multi_label_classification"
    batch = BATCH4 if batch_key == "batch4" else BATCH8
    init = state(model)
    model.train()
    opt = hf.hf_adamw(model, hp["learning_rate"], hp["weight_decay"], (hp["adam_beta1"], hp["adam_beta2"]),
                      hp["adam_epsilon"])
    sched = hf.get_scheduler(hp["lr_scheduler_type"], opt, hp["num_warmup_steps"], hp["num_training_steps"])
    opt.zero_grad()
    loss, logits, per, y = forward_loss(model, batch, loss_kind, class_weights)
    loss.backward()
    grads, norm, coef, lr = clip_and_step(model, opt, sched, hp["max_grad_norm"])
    after = state(model)
    with torch.no_grad():
        model.eval()
        loss2, logits2, _, _ = forward_loss(model, batch, loss_kind, class_weights)
    decay, no_decay = decay_lists(model)
    # sanity: every weight moved; decayed weights got exactly the extra -lr*wd*p0 of AdamW's decoupled decay
    # (attention key biases have a mathematically zero gradient -- softmax is shift invariant -- so their ~1e-23
    #  rounding-noise gradients move them by ~1e-18 at most: below one ulp)
    unmoved = [k for k in after if torch.equal(init[k], after[k])]
    assert all(k.endswith("key.bias") or k.endswith("k_lin.bias") for k in unmoved), unmoved
    rec = {
        "case": case,
        "description": description,
        "model_folder": model_name,
        "batch": batch_key,
        "labels_key": "labels_multi_hot" if loss_kind == "bce" else "labels",
        "problem_type": model.config["problem_type"],
        "hyperparameters": dict(hp, class_weights=class_weights),
        "loss": loss.item(),
        "logits": tolist(logits),
        "per_example_losses": tolist(per),
        "grad_norm": norm,
        "clip_coef": coef,
        "clip_active": norm > hp["max_grad_norm"],
        "lr": lr,
        "loss_after_step": loss2.item(),
        "logits_after_step": tolist(logits2),
        "decay_parameters": decay,
        "no_decay_parameters": no_decay,
        "updated_weights": f"{case}.safetensors",
        "gradients": f"{case}.grads.safetensors",
        "note": "gradients of attention key biases (bert...attention.self.key.bias, distilbert...k_lin.bias) are "
                "mathematically 0 (a per-row constant added to the attention scores does not change the softmax); "
                "the stored values (~1e-23) are rounding noise: compare them, and those biases, with an absolute "
                "tolerance.",
    }
    if extra:
        rec.update(extra(model, batch, loss, logits, per, y))
    write_st(f"{case}.safetensors", after, f"{case}: all weights after one optimizer step")
    write_st(f"{case}.grads.safetensors", grads, f"{case}: gradients after backward, before clipping")
    write_json(f"{case}.json", {k: v for k, v in rec.items() if not k.startswith("_")}, f"{case}: one-step golden")
    return rec, init, after, grads, model


def check_decay_visible(rec, init, after, grads, hp):
    """Recompute AdamW's first step by hand: p1 = p0 (1 - lr wd) - lr * m_hat / (sqrt(v_hat) + eps) with
    m_hat = g, v_hat = g^2 on the clipped gradient; wd = 0 for the no-decay names."""
    lr, coef = rec["lr"], rec["clip_coef"]
    for name in after:
        g = grads[name] * (coef if rec["clip_active"] else 1.0)
        m = (1 - hp["adam_beta1"]) * g
        v = (1 - hp["adam_beta2"]) * g * g
        bc1, bc2 = 1 - hp["adam_beta1"], 1 - hp["adam_beta2"]
        wd = hp["weight_decay"] if name in rec["decay_parameters"] else 0.0
        p = init[name] * (1 - lr * wd) - (lr / bc1) * m / (v.sqrt() / math.sqrt(bc2) + hp["adam_epsilon"])
        assert torch.allclose(p, after[name], rtol=0, atol=1e-15), name


def main_cases():
    bert_seed, distil_seed = 20240611, 20240612
    # ---- folders
    m = build(BERT_CONFIG, bert_seed)
    write_folder("tiny-bert", BERT_CONFIG, m, "BertTokenizer")
    d = build(DISTILBERT_CONFIG, distil_seed)
    write_folder("tiny-distilbert", DISTILBERT_CONFIG, d, "DistilBertTokenizer")
    write_json("batch.json", {
        "description": "batch4 = rows 0..3 of batch8. input_ids from the tokenizer in tiny-bert/ (vocab.txt, "
                       "do_lower_case) on texts (one text, or [text, text_pair]), padded with [PAD]=0 to length 6; "
                       "attention_mask 1 on real tokens; token_type_ids 1 on the second segment. labels index "
                       "id2label; labels_multi_hot are float targets for the multi-label case. DistilBERT ignores "
                       "token_type_ids.",
        "batch4": BATCH4, "batch8": BATCH8}, "the training batches")

    results = {}
    # ---- ce
    rec, init, after, grads, _ = one_step_case(
        "ce", "tiny-bert", BERT_CONFIG, bert_seed, "batch4", "ce", HP,
        "BertForSequenceClassification, softmax cross-entropy (mean over the batch), AdamW with HF's decay groups, "
        "clip_grad_norm_(1.0), one optimizer step at lr 1e-3 (constant schedule).")
    check_decay_visible(rec, init, after, grads, HP)
    assert abs(rec["loss"] - math.log(3)) < 0.01, rec["loss"]
    assert not rec["clip_active"]
    results["ce"] = rec
    ce_norm = rec["grad_norm"]

    # ---- ce_class_weights
    w = [0.5, 2.0, 1.0]

    def keras_norm(model, batch, loss, logits, per, y):
        wt = torch.tensor(w, dtype=DTYPE)
        return {"class_weights": w,
                "loss_normalisation": "sum_i w[y_i] * l_i / sum_i w[y_i]  (torch.nn.CrossEntropyLoss(weight=w))",
                "sum_weights": wt[y].sum().item(),
                "loss_keras_style": (wt[y] * per).mean().item(),
                "loss_keras_style_normalisation": "mean_i w[y_i] * l_i  (divides by N, not by sum of weights)"}

    rec, init, after, grads, _ = one_step_case(
        "ce_class_weights", "tiny-bert", BERT_CONFIG, bert_seed, "batch4", "ce", HP,
        "As ce, loss = CrossEntropyLoss(weight=[0.5, 2.0, 1.0]) (PyTorch normalisation by the sum of the weights "
        "of the batch's labels). HF's BertForSequenceClassification has no class weights: this is the usual "
        "compute_loss override.", class_weights=w, extra=keras_norm)
    check_decay_visible(rec, init, after, grads, HP)
    results["ce_class_weights"] = rec

    # ---- clip
    hp_clip = dict(HP, max_grad_norm=0.05)
    assert ce_norm > 0.05, ce_norm
    ce_after, _ = hf.load_safetensors(out("ce.safetensors"))

    def clip_extra(model, batch, loss, logits, per, y):
        st = {k: v.detach() for k, v in model.state_dict().items()}
        return {"max_abs_diff_weights_vs_ce": max((st[k] - ce_after[k]).abs().max().item() for k in st),
                "clip_note": "AdamW's first step is lr * g / (|g| + eps) per element, nearly invariant to scaling "
                             "g: clipping shows in the update only where |g| is comparable to eps (here the "
                             "attention query/key weights, |g| ~ 1e-8), see max_abs_diff_weights_vs_ce. The clipped "
                             "gradients are gradients x clip_coef."}

    rec, init, after, grads, _ = one_step_case(
        "clip", "tiny-bert", BERT_CONFIG, bert_seed, "batch4", "ce", hp_clip,
        "As ce with max_grad_norm 0.05: clipping active; gradients scaled by 0.05 / (norm + 1e-6) before AdamW.",
        extra=clip_extra)
    assert rec["max_abs_diff_weights_vs_ce"] > 1e-6, rec["max_abs_diff_weights_vs_ce"]
    assert rec["clip_active"] and rec["clip_coef"] < 1
    check_decay_visible(rec, init, after, grads, hp_clip)
    results["clip"] = rec

    # ---- bce_multilabel
    def bce_extra(model, batch, loss, logits, per, y):
        return {"per_element_losses": tolist(nn.functional.binary_cross_entropy_with_logits(logits, y,
                                                                                             reduction="none")),
                "loss_normalisation": "BCEWithLogitsLoss() mean over batch x labels"}

    rec, init, after, grads, _ = one_step_case(
        "bce_multilabel", "tiny-bert", BERT_CONFIG, bert_seed, "batch4", "bce", HP,
        "problem_type multi_label_classification: BCEWithLogitsLoss() on labels_multi_hot (float), mean over "
        "batch x labels; otherwise as ce.", extra=bce_extra)
    check_decay_visible(rec, init, after, grads, HP)
    results["bce_multilabel"] = rec

    # ---- accumulation
    def accum_extra(model_unused, batch, loss, logits, per, y):
        # HF Trainer, gradient_accumulation_steps=2 on two micro-batches of 4 (rows 0..3, 4..7): each micro-batch
        # loss (mean CE) is divided by current_gradient_accumulation_steps = 2, backward twice, then clip + step.
        m2 = build(BERT_CONFIG, bert_seed)
        m2.train()
        opt = hf.hf_adamw(m2, HP["learning_rate"], HP["weight_decay"])
        sched = hf.get_scheduler("constant", opt, 0, 1)
        opt.zero_grad()
        micro = []
        for lo in (0, 4):
            sub = {k: v[lo:lo + 4] for k, v in BATCH8.items() if k != "texts"}
            l, _, _, _ = forward_loss(m2, sub, "ce")
            micro.append(l.item())
            (l / 2).backward()
        g2, n2, c2, lr2 = clip_and_step(m2, opt, sched, HP["max_grad_norm"])
        after2 = state(m2)
        return {"micro_batches": [[0, 4], [4, 8]],
                "gradient_accumulation_steps": 2,
                "micro_batch_losses": micro,
                "micro_batch_loss_divisor": 2,
                "scaled_micro_batch_losses": [x / 2 for x in micro],
                "accumulated_loss_sum": sum(x / 2 for x in micro),
                "accumulated_grad_norm": n2,
                "_after2": after2, "_g2": g2,
                "equal_to_full_batch": "yes, mathematically, for equal-sized micro-batches with mean losses: "
                                       "(mean_1 + mean_2) / 2 = mean over 8. Padding width and row order do not "
                                       "matter (no dropout; padded keys are masked). With unequal micro-batches "
                                       "(e.g. a remainder group) HF still divides each micro-batch mean by the "
                                       "number of micro-batches, which is NOT the mean over the examples."}

    model8 = build(BERT_CONFIG, bert_seed)
    rec, init, after, grads, _ = one_step_case(
        "accumulation", "tiny-bert", BERT_CONFIG, bert_seed, "batch8", "ce", HP,
        "One step on the 8-sequence batch (mean CE over 8). Golden for 'accumulation of 2 x 4 == one step of 8'.",
        extra=accum_extra)
    after2, g2 = rec.pop("_after2"), rec.pop("_g2")
    diff_w = max((after2[k] - after[k]).abs().max().item() for k in after)
    diff_g = max((g2[k] - grads[k]).abs().max().item() for k in grads)
    rec["max_abs_diff_weights_accumulated_vs_full"] = diff_w
    rec["max_abs_diff_grads_accumulated_vs_full"] = diff_g
    assert diff_w < 1e-14 and diff_g < 1e-14, (diff_w, diff_g)
    write_json("accumulation.json", rec, "accumulation: one-step golden (8 batch) + HF micro-batch scaling")
    check_decay_visible(rec, init, after, grads, HP)
    results["accumulation"] = rec
    del model8

    # ---- distilbert_ce
    rec, init, after, grads, _ = one_step_case(
        "distilbert_ce", "tiny-distilbert", DISTILBERT_CONFIG, distil_seed, "batch4", "ce", HP,
        "DistilBertForSequenceClassification, as ce (token_type_ids ignored).")
    check_decay_visible(rec, init, after, grads, HP)
    assert abs(rec["loss"] - math.log(3)) < 0.01, rec["loss"]
    results["distilbert_ce"] = rec

    # ---- three_steps
    hp3 = dict(HP, lr_scheduler_type="linear", num_warmup_steps=1, num_training_steps=3)
    model = build(BERT_CONFIG, bert_seed)
    model.train()
    opt = hf.hf_adamw(model, hp3["learning_rate"], hp3["weight_decay"])
    sched = hf.get_scheduler("linear", opt, hp3["num_warmup_steps"], hp3["num_training_steps"])
    init = state(model)
    steps = []
    for k in range(3):
        opt.zero_grad()
        loss, logits, per, _ = forward_loss(model, BATCH4, "ce")
        loss.backward()
        grads, norm, coef, lr = clip_and_step(model, opt, sched, hp3["max_grad_norm"])
        st = state(model)
        write_st(f"three_steps.step{k + 1}.safetensors", st, f"three_steps: weights after update {k + 1}")
        write_st(f"three_steps.step{k + 1}.grads.safetensors", grads,
                 f"three_steps: gradients of update {k + 1}, before clipping")
        if k == 0:
            assert lr == 0.0
            # lr 0: weights unchanged, but AdamW's step count and moments advanced
            assert all(torch.equal(init[n], st[n]) for n in st)
        steps.append({"update": k, "lr": lr, "loss": loss.item(), "logits": tolist(logits),
                      "per_example_losses": tolist(per), "grad_norm": norm, "clip_coef": coef,
                      "clip_active": norm > hp3["max_grad_norm"],
                      "adam_step_count_after": int(opt.state[next(iter(model.parameters()))]["step"].item()),
                      "updated_weights": f"three_steps.step{k + 1}.safetensors",
                      "gradients": f"three_steps.step{k + 1}.grads.safetensors"})
    assert [s["lr"] for s in steps] == [0.0, 1e-3, 5e-4], [s["lr"] for s in steps]
    decay, no_decay = decay_lists(model)
    write_json("three_steps.json", {
        "case": "three_steps",
        "description": "Three consecutive ce steps on batch4 with lr_scheduler_type linear, num_warmup_steps 1, "
                       "num_training_steps 3: lrs 0, 1e-3, 5e-4. The first update has lr 0 (LambdaLR starts at "
                       "lambda(0) = 0/1): the weights do not move, but AdamW's step counter (bias correction) and "
                       "moments m, v do advance; the second update therefore uses t = 2.",
        "model_folder": "tiny-bert", "batch": "batch4", "labels_key": "labels",
        "problem_type": "single_label_classification", "hyperparameters": hp3, "steps": steps,
        "decay_parameters": decay, "no_decay_parameters": no_decay}, "three_steps: per-update records")
    results["three_steps"] = steps
    return results


# =============================================================================================================
# 4. Forward-only probabilities and a predictions file
# =============================================================================================================

TEXTS = [
    "The movie was GREAT!",
    "Caf\u00e9 music, tr\u00e8s bon.",
    "I hate watching boring films",
    "\u597d movie",
    "unbelievable",
    "acting\tand\nplot",
    "[MASK] is fun",
    "good\u0000 fun\u200b?",
    " ".join(["the movie"] * 10),
    "",
]


def expected_probabilities(folder, config_dict, seed):
    model = build(config_dict, seed)
    loaded, _ = hf.load_safetensors(out(f"{folder}/model.safetensors"))
    model.load_state_dict(loaded, strict=True)
    model.eval()
    ids, mask, types, _ = tensors(BATCH8)
    with torch.no_grad():
        logits = model(ids, attention_mask=mask, token_type_ids=types).logits
    probs = torch.softmax(logits, dim=-1)
    tok = hf.BertTokenizer.from_folder(out(folder))
    texts = []
    preds = []
    for i, text in enumerate(TEXTS):
        enc_ids, enc_types = tok.encode(text, None, MAX_LEN)
        with torch.no_grad():
            lg = model(torch.tensor([enc_ids]), attention_mask=torch.ones(1, len(enc_ids), dtype=torch.long),
                       token_type_ids=torch.tensor([enc_types])).logits[0]
        pr = torch.softmax(lg, dim=-1)
        texts.append({"text": text, "tokens": tok.tokenize(text), "input_ids": enc_ids,
                      "token_type_ids": enc_types, "logits": tolist(lg), "probabilities": tolist(pr)})
        best = int(torch.argmax(pr).item())
        preds.append({"index": i, "text": text, "true": None, "predicted": [LABELS[best]],
                      "confidence": pr[best].item(), "loss": None,
                      "probabilities": {LABELS[j]: pr[j].item() for j in range(len(LABELS))}})
    assert texts[8]["input_ids"][0] == 2 and len(texts[8]["input_ids"]) == MAX_LEN  # truncated
    write_json(f"{folder}/expected_probabilities.json", {
        "description": "eval-mode forward of the initial weights in this folder: softmax(logits). 'batch' = "
                       "batch8 of ../batch.json; 'texts' = single texts tokenized by this folder's tokenizer "
                       "(BertTokenizer rules, do_lower_case true) with truncation to max_length, no padding.",
        "activation": "softmax", "label_names": LABELS, "max_length": MAX_LEN,
        "batch": {k: BATCH8[k] for k in ("input_ids", "attention_mask", "token_type_ids")},
        "logits": tolist(logits), "probabilities": tolist(probs), "texts": texts,
    }, f"{folder}: expected eval probabilities on batch8 and on tokenized texts")
    with open(out(f"{folder}/predictions.jsonl"), "w", encoding="utf-8") as f:
        for p in preds:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    FILES[f"{folder}/predictions.jsonl"] = "predictions.jsonl (PredictionRecord lines) for the texts, for " \
                                           "tests/python/check_hf_folder.py"


# =============================================================================================================
# 5. Logistic regression vs scikit-learn
# =============================================================================================================

def make_logreg():
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(12345)
    k, d, n_train, n_test = 3, 10, 60, 15
    means = rng.normal(0.0, 1.0, size=(k, d))
    scales = np.array([1.0, 5.0, 0.2, 10.0, 1.0, 0.5, 3.0, 1.0, 0.1, 2.0])
    offsets = np.array([0.0, 3.0, -1.0, 10.0, 0.5, 0.0, -4.0, 2.0, 0.0, 1.0])

    def sample(n):
        y = np.array([i % k for i in range(n)])
        rng.shuffle(y)
        x = (means[y] + rng.normal(0.0, 1.5, size=(n, d))) * scales + offsets
        return x, y

    x_tr, y_tr = sample(n_train)
    x_te, y_te = sample(n_test)

    def objective(xs, y, coef, intercept, l2):
        s = xs @ coef.T + intercept
        s = s - s.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].sum() + 0.5 * l2 * (coef ** 2).sum())

    def objective_gradient(xs, y, coef, intercept, l2):
        s = xs @ coef.T + intercept
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1.0
        g_w = p.T @ xs + l2 * coef
        g_b = p.sum(axis=0)
        return float(max(np.abs(g_w).max(), np.abs(g_b).max()))

    def softmax_rows(sc):
        e = np.exp(sc - sc.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def newton_polish(xs, y, coef, intercept, l2, iters=30):
        """Newton's method on the penalised objective from sklearn's solution (min-norm steps: the Hessian is
        singular along 'add c to every intercept', which keeps sum_k b_k = 0)."""
        n, dd = xs.shape
        kk = coef.shape[0]
        xa = np.hstack([xs, np.ones((n, 1))])
        th = np.hstack([coef, intercept[:, None]])
        yoh = np.eye(kk)[y]
        reg = np.zeros((kk, dd + 1))
        reg[:, :dd] = l2
        for _ in range(iters):
            p = softmax_rows(xa @ th.T)
            g = (p - yoh).T @ xa + reg * th
            if np.abs(g).max() < 1e-12:
                break
            h = np.zeros((kk * (dd + 1), kk * (dd + 1)))
            for i in range(n):
                a = np.diag(p[i]) - np.outer(p[i], p[i])
                h += np.kron(a, np.outer(xa[i], xa[i]))
            h += np.diag(reg.ravel())
            step = np.linalg.lstsq(h, g.ravel(), rcond=None)[0].reshape(kk, dd + 1)
            th = th - step
        return th[:, :dd], th[:, dd]

    fits = []
    for C in (1.0, 0.1):
        for standardize in (False, True):
            if standardize:
                sc = StandardScaler().fit(x_tr)
                ztr, zte = sc.transform(x_tr), sc.transform(x_te)
            else:
                sc, ztr, zte = None, x_tr, x_te
            clf = LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs", tol=1e-10, max_iter=10000)
            clf.fit(ztr, y_tr)
            assert abs(clf.intercept_.sum()) < 1e-8 and np.abs(clf.coef_.sum(axis=0)).max() < 1e-8
            grad = objective_gradient(ztr, y_tr, clf.coef_, clf.intercept_, 1.0 / C)
            assert grad < 1e-2, grad
            ex_coef, ex_int = newton_polish(ztr, y_tr, clf.coef_, clf.intercept_, 1.0 / C)
            ex_grad = objective_gradient(ztr, y_tr, ex_coef, ex_int, 1.0 / C)
            assert ex_grad < 1e-9, ex_grad
            ex_p = softmax_rows(zte @ ex_coef.T + ex_int)
            fits.append({
                "C": C, "l2": 1.0 / C, "standardize": standardize,
                "scaler_mean": sc.mean_.tolist() if sc else None,
                "scaler_scale": sc.scale_.tolist() if sc else None,
                "coef": clf.coef_.tolist(), "intercept": clf.intercept_.tolist(),
                "n_iter": int(clf.n_iter_[0]),
                "objective": objective(ztr, y_tr, clf.coef_, clf.intercept_, 1.0 / C),
                "max_abs_gradient_at_solution": grad,
                "exact_coef": ex_coef.tolist(), "exact_intercept": ex_int.tolist(),
                "exact_objective": objective(ztr, y_tr, ex_coef, ex_int, 1.0 / C),
                "exact_max_abs_gradient": ex_grad,
                "exact_predict_proba_test": ex_p.tolist(),
                "max_abs_diff_coef_sklearn_vs_exact": float(max(np.abs(ex_coef - clf.coef_).max(),
                                                                np.abs(ex_int - clf.intercept_).max())),
                "max_abs_diff_proba_test_sklearn_vs_exact": float(np.abs(ex_p - clf.predict_proba(zte)).max()),
                "predict_proba_test": clf.predict_proba(zte).tolist(),
                "predict_proba_train": clf.predict_proba(ztr).tolist(),
            })
    # binary: rows of classes 0 and 1 only
    btr, bte = y_tr < 2, y_te < 2
    xb, yb, xbt = x_tr[btr], y_tr[btr], x_te[bte]
    C = 1.0
    multi = LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs", tol=1e-10, max_iter=10000).fit(xb, yb)
    logistic = LogisticRegression(C=C, solver="lbfgs", tol=1e-10, max_iter=10000).fit(xb, yb)
    multi_half = LogisticRegression(C=C / 2, multi_class="multinomial", solver="lbfgs", tol=1e-10,
                                    max_iter=10000).fit(xb, yb)
    assert np.abs(logistic.predict_proba(xbt) - multi_half.predict_proba(xbt)).max() < 1e-6
    s_rows = np.stack([-(xbt @ multi.coef_[0] + multi.intercept_[0]), xbt @ multi.coef_[0] + multi.intercept_[0]], 1)
    p_rows = np.exp(s_rows - s_rows.max(1, keepdims=True))
    p_rows /= p_rows.sum(1, keepdims=True)
    assert np.abs(p_rows - multi.predict_proba(xbt)).max() < 1e-12
    binary = {
        "description": "classes 0 and 1 only (rows of the 3-class data with y < 2), no scaling, C = 1. A 2-class "
                       "softmax with penalty (l2/2)(|w0|^2 + |w1|^2) has w0 = -w1 at the optimum, so it equals "
                       "a binary logistic regression on w = w1 - w0 with penalty (l2/4)|w|^2, while sklearn's "
                       "binary LogisticRegression(C) penalises |w|^2/(2C): softmax(l2) == sklearn "
                       "multinomial(C = 1/l2) == sklearn binary logistic(C = 2/l2). multinomial_C1.coef_class1 "
                       "is sklearn's coef_ (the class-1 row; class 0 is its negative); java_theta_rows give both "
                       "rows as finetune4j stores them (weights then bias).",
        "x_train": xb.tolist(), "y_train": yb.tolist(), "x_test": xbt.tolist(), "y_test": y_te[bte].tolist(),
        "multinomial_C1": {"C": C, "java_l2": 1.0, "coef_class1": multi.coef_.tolist(),
                           "intercept_class1": multi.intercept_.tolist(),
                           "java_theta_rows": {"class0": (-multi.coef_[0]).tolist() + [-multi.intercept_[0]],
                                               "class1": multi.coef_[0].tolist() + [multi.intercept_[0]]},
                           "predict_proba_test": multi.predict_proba(xbt).tolist()},
        "binary_logistic_C1": {"C": C, "java_l2_equivalent": 2.0 / C, "coef": logistic.coef_.tolist(),
                               "intercept": logistic.intercept_.tolist(),
                               "predict_proba_test": logistic.predict_proba(xbt).tolist()},
    }
    write_json("logreg.json", {
        "description": "scikit-learn LogisticRegression(C, multi_class='multinomial', solver='lbfgs', tol=1e-10, "
                       "max_iter=10000, fit_intercept=True) minimises sum_i -log p(y_i|x_i) + 1/(2C) |W|^2 "
                       "(intercept not penalised) = finetune4j LogisticRegression with l2 = 1/C. With "
                       "standardize, features are StandardScaler'd on x_train (population std, ddof 0) and coef "
                       "is in the standardized space. The softmax is over-parametrised; from zero, L-BFGS keeps "
                       "sum_k intercept_k = 0 and sum_k coef_kj = 0, so intercepts are comparable. objective = "
                       "the penalised loss above at sklearn's solution (on standardized x when standardize). sklearn's lbfgs "
                       "stops on its relative-decrease test (ftol = 64 eps) before tol=1e-10 is met, leaving a "
                       "gradient of up to ~1e-3 (max_abs_gradient_at_solution, of the summed objective); exact_* "
                       "are that solution polished by Newton's method to a gradient below 1e-9 (the true "
                       "minimiser), with the sklearn-vs-exact differences recorded.",
        "sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
        "n_classes": k, "x_train": x_tr.tolist(), "y_train": y_tr.tolist(), "x_test": x_te.tolist(),
        "y_test": y_te.tolist(), "fits": fits, "binary": binary,
    }, "logistic regression goldens from scikit-learn")


# =============================================================================================================
# 6. Independent cross-checks of the re-implementation against PyTorch's own modules
# =============================================================================================================

def cross_check_layers():
    """BertLayer and DistilBERT's TransformerBlock are post-LN encoder layers: compare them with
    torch.nn.TransformerEncoderLayer (norm_first=False, exact GELU, no dropout) carrying the same weights, with a
    key-padding mask, in float64."""
    ids, mask, types, _ = tensors(BATCH8)
    x = torch.randn(8, 6, 8, dtype=DTYPE, generator=torch.Generator().manual_seed(7))
    kpm = mask == 0
    for which, cfg_dict, seed in (("bert", BERT_CONFIG, 20240611), ("distilbert", DISTILBERT_CONFIG, 20240612)):
        model = build(cfg_dict, seed)
        model.eval()
        ref = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu",
                                         layer_norm_eps=1e-12, batch_first=True, norm_first=False).to(DTYPE).eval()
        with torch.no_grad():
            if which == "bert":
                L = model.bert.encoder.layer[0]
                a = L.attention
                q, k, v, o = a.self.query, a.self.key, a.self.value, a.output.dense
                ln1, ln2, l1, l2 = a.output.LayerNorm, L.output.LayerNorm, L.intermediate.dense, L.output.dense
                ours = L(x, hf.extended_attention_mask(mask, DTYPE))
            else:
                L = model.distilbert.transformer.layer[0]
                q, k, v, o = L.attention.q_lin, L.attention.k_lin, L.attention.v_lin, L.attention.out_lin
                ln1, ln2, l1, l2 = L.sa_layer_norm, L.output_layer_norm, L.ffn.lin1, L.ffn.lin2
                ours = L(x, mask)
            ref.self_attn.in_proj_weight.copy_(torch.cat([q.weight, k.weight, v.weight]))
            ref.self_attn.in_proj_bias.copy_(torch.cat([q.bias, k.bias, v.bias]))
            ref.self_attn.out_proj.weight.copy_(o.weight)
            ref.self_attn.out_proj.bias.copy_(o.bias)
            for dst, src in ((ref.norm1, ln1), (ref.norm2, ln2), (ref.linear1, l1), (ref.linear2, l2)):
                dst.weight.copy_(src.weight)
                dst.bias.copy_(src.bias)
            theirs = ref(x, src_key_padding_mask=kpm)
        real = mask.bool()
        diff = (ours - theirs)[real].abs().max().item()
        assert diff < 1e-13, (which, diff)
        print(f"cross-check {which} layer vs torch.nn.TransformerEncoderLayer: max abs diff {diff:.2e}")


def main():
    cross_check_layers()
    make_schedules()
    results = main_cases()
    expected_probabilities("tiny-bert", BERT_CONFIG, 20240611)
    expected_probabilities("tiny-distilbert", DISTILBERT_CONFIG, 20240612)
    make_logreg()
    import sklearn
    write_json("manifest.json", {
        "generator": "make_hf_golden.py (this folder); HF re-implementation in tests/python/hf_reference.py",
        "torch_version": torch.__version__, "numpy_version": np.__version__, "sklearn_version": sklearn.__version__,
        "python_version": sys.version.split()[0],
        "hf_transformers_sources_read": hf.HF_SOURCES,
        "files": dict(sorted(FILES.items())),
    }, "this manifest")
    for name in ("ce", "ce_class_weights", "clip", "bce_multilabel", "accumulation", "distilbert_ce"):
        r = results[name]
        print(f"{name:18s} loss={r['loss']:.12f} grad_norm={r['grad_norm']:.6f} clip={r['clip_active']} "
              f"lr={r['lr']} loss_after={r['loss_after_step']:.12f}")
    for s in results["three_steps"]:
        print(f"three_steps u{s['update']} lr={s['lr']} loss={s['loss']:.12f} grad_norm={s['grad_norm']:.6f} "
              f"adam_t={s['adam_step_count_after']}")
    print(f"{len(FILES) + 1} files written under {HERE}")


if __name__ == "__main__":
    main()
