#!/usr/bin/env python3
"""Checks that a model folder saved by finetune4j predicts, under Hugging Face semantics, what finetune4j says.

    /usr/bin/python3 tests/python/check_hf_folder.py FOLDER PREDICTIONS.jsonl [--max-length N] [--tolerance 1e-4]
                     [--dtype float64|float32] [--limit N]

FOLDER must hold config.json (model_type bert or distilbert), model.safetensors with Hugging Face tensor names
(bert.* / distilbert.*, pre_classifier / classifier), and vocab.txt (+ optional tokenizer_config.json). The
weights are loaded into the plain-PyTorch BertForSequenceClassification / DistilBertForSequenceClassification of
hf_reference.py with load_state_dict(strict=True): any missing or unexpected tensor name is a failure (exit 2),
as is a shape mismatch. Each line of PREDICTIONS.jsonl (finetune4j's PredictionRecord: {"index", "text", "true",
"predicted", "confidence", "loss", "probabilities": {label: p}}; a "probs" list is accepted too) is tokenized with
HF's BertTokenizer rules ([CLS] text [SEP], truncated to --max-length, default tokenizer_config's
model_max_length, else config max_position_embeddings), run in eval mode, and softmax (sigmoid when
config.problem_type is multi_label_classification) probabilities are compared with the line's. Label order is
config.json's id2label. Prints the max absolute difference; exit 1 when it is above --tolerance, 0 otherwise.

Needs python3-torch and numpy (Debian packages); run with /usr/bin/python3.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ beside the sources

import torch  # noqa: E402

import hf_reference as hf  # noqa: E402


def load_model(folder, dtype):
    config = hf.read_config(os.path.join(folder, "config.json"))
    model = hf.model_for_config(config).to(dtype)
    path = os.path.join(folder, "model.safetensors")
    if not os.path.exists(path):
        raise SystemExit(f"FAIL: {path} not found")
    state, _ = hf.load_safetensors(path)
    state = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in state.items()}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        print(f"FAIL: {path} does not match {type(model).__name__} (strict load)")
        for k in missing:
            print(f"  missing tensor:    {k} {list(expected[k].shape)}")
        for k in unexpected:
            print(f"  unexpected tensor: {k} {list(state[k].shape)}")
        sys.exit(2)
    bad = [k for k in expected if tuple(expected[k].shape) != tuple(state[k].shape)]
    if bad:
        print(f"FAIL: shape mismatch in {path}")
        for k in bad:
            print(f"  {k}: file {list(state[k].shape)}, model {list(expected[k].shape)}")
        sys.exit(2)
    model.load_state_dict(state, strict=True)
    model.eval()
    return config, model


def read_predictions(path, limit):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
            if limit and len(rows) >= limit:
                break
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("predictions")
    ap.add_argument("--max-length", type=int, default=None)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--limit", type=int, default=0, help="check only the first N lines")
    a = ap.parse_args(argv)

    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    config, model = load_model(a.folder, dtype)
    tok = hf.BertTokenizer.from_folder(a.folder)
    max_length = a.max_length or min(tok.model_max_length, config.max_position_embeddings)
    labels = [config.id2label[i] for i in range(config.num_labels)]
    multi = config.get("problem_type") == "multi_label_classification"
    rows = read_predictions(a.predictions, a.limit)
    if not rows:
        raise SystemExit(f"FAIL: no predictions in {a.predictions}")

    worst, worst_row, n = 0.0, None, 0
    for row in rows:
        if row.get("text") is None:
            raise SystemExit(f"FAIL: line with index {row.get('index')} has no text")
        if isinstance(row.get("probabilities"), dict) and row["probabilities"]:
            probs_map = row["probabilities"]
            if set(probs_map) != set(labels):
                raise SystemExit(f"FAIL: index {row.get('index')}: labels {sorted(probs_map)} != config id2label "
                                 f"{labels}")
            theirs = [float(probs_map[l]) for l in labels]
        elif isinstance(row.get("probs"), list):
            theirs = [float(x) for x in row["probs"]]
        else:
            raise SystemExit(f"FAIL: index {row.get('index')} has neither 'probabilities' nor 'probs'")
        if len(theirs) != len(labels):
            raise SystemExit(f"FAIL: index {row.get('index')}: {len(theirs)} probabilities for {len(labels)} labels")
        ids, types = tok.encode(row["text"], None, max_length)
        with torch.no_grad():
            logits = model(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                           token_type_ids=torch.tensor([types])).logits[0]
        ours = torch.sigmoid(logits) if multi else torch.softmax(logits, dim=-1)
        diff = max(abs(o - t) for o, t in zip(ours.tolist(), theirs))
        n += 1
        if diff > worst:
            worst, worst_row = diff, (row.get("index"), row["text"], ours.tolist(), theirs)
    print(f"{n} predictions, {type(model).__name__}, {'sigmoid' if multi else 'softmax'}, max_length {max_length}: "
          f"max abs probability difference {worst:.3e} (tolerance {a.tolerance:g})")
    if worst > a.tolerance:
        idx, text, ours, theirs = worst_row
        print(f"FAIL: worst at index {idx} {text[:80]!r}: reference {ours} vs file {theirs}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
