#!/usr/bin/env python3
"""Plain-PyTorch re-implementation of the few Hugging Face transformers pieces finetune4j must match.

Used by tests/src/test/resources/hf-golden/make_hf_golden.py (which writes the golden files) and by
tests/python/check_hf_folder.py (which checks a folder saved by finetune4j). transformers itself is not
needed (nor installable here next to Debian's PyTorch 1.13); every piece below is copied from
transformers' source, with the file, class/function and the stored commit it was read at cited in a
comment. Behaviour, module names and state_dict keys are HF's, so `load_state_dict(strict=True)` of an HF
checkpoint works.

Contents
  * safetensors reader / writer (the format: 8-byte little-endian header length, JSON header, raw bytes)
  * BertForSequenceClassification, DistilBertForSequenceClassification (eager attention, exact erf GELU)
  * sequence-classification loss with HF's problem_type inference
  * HF Trainer pieces: decay-parameter names, LR-schedule lambdas, warmup rounding, update-step counts
  * BertTokenizer (slow): BasicTokenizer + WordpieceTokenizer, [CLS] A [SEP] (B [SEP]) with truncation

Needs: python3-torch (1.13), numpy. Run with /usr/bin/python3.
"""
import collections
import json
import math
import re
import struct
import unicodedata

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Commits of huggingface/transformers the code below was read at (stored copies; each file at its own commit).
HF_SOURCES = {
    "models/bert/modeling_bert.py": "8ec58104181bfb34d824d89bccc009b4f6be6e0e",
    "models/bert/configuration_bert.py": "008f5c8c29be84d4721dc6d1e0fcd72300580be4",
    "models/bert/tokenization_bert.py": "0232d90c2c9c6d7e800500937159733ba90195d6 (+ NFC step of later versions)",
    "models/distilbert/modeling_distilbert.py": "00b326f4caca2d1fbebe5c86e1693475fd4d0c9a",
    "models/distilbert/configuration_distilbert.py": "06053b84c14d72e9789fbf27844a75aa89b3ded7",
    "optimization.py": "005edacb6b5dabbf0843e92c6623de9e07ca6241",
    "trainer.py": "000945a9b726d87a93e61e873b88ff8f3cd411b5",
    "training_args.py": "fd798335c275520af034c678b35e8167820c7c80",
    "trainer_callback.py": "01081ce2c31e51fa3876e386c5aef784d38e958a",
}

# ---------------------------------------------------------------------------------------------------------------
# safetensors
# ---------------------------------------------------------------------------------------------------------------

_ST_DTYPES = {
    "F64": (np.dtype("<f8"), torch.float64),
    "F32": (np.dtype("<f4"), torch.float32),
    "F16": (np.dtype("<f2"), torch.float16),
    "I64": (np.dtype("<i8"), torch.int64),
    "I32": (np.dtype("<i4"), torch.int32),
}
_TORCH_TO_ST = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.int64: "I64",
                torch.int32: "I32"}


def save_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} as safetensors: u64 LE header length, JSON header padded with spaces to a multiple of
    8 bytes (as the Rust library does), then the tensors' little-endian bytes, contiguous, in name order."""
    names = sorted(tensors)
    header, blobs, offset = {}, [], 0
    for name in names:
        t = tensors[name].detach().cpu().contiguous()
        dtype = _TORCH_TO_ST[t.dtype]
        data = t.numpy().astype(_ST_DTYPES[dtype][0], copy=False).tobytes(order="C")
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Reads a safetensors file; returns ({name: tensor}, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    base = 8 + n
    out = collections.OrderedDict()
    for name, info in header.items():
        if info["dtype"] == "BF16":
            b, e = info["data_offsets"]
            u16 = np.frombuffer(raw[base + b:base + e], dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32).reshape(info["shape"])
            out[name] = torch.from_numpy(arr.copy())
            continue
        np_dtype, _ = _ST_DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        arr = np.frombuffer(raw[base + b:base + e], dtype=np_dtype).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


# ---------------------------------------------------------------------------------------------------------------
# Activations: transformers/activations.py ACT2FN. "gelu" is GELUActivation = nn.functional.gelu (exact, erf).
# ---------------------------------------------------------------------------------------------------------------

def _gelu_new(x):
    # activations.py NewGELUActivation (tanh approximation)
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT2FN = {
    "gelu": F.gelu,
    "relu": F.relu,
    "gelu_new": _gelu_new,
    "gelu_pytorch_tanh": _gelu_new,
    "silu": F.silu,
    "swish": F.silu,
    "tanh": torch.tanh,
}


# ---------------------------------------------------------------------------------------------------------------
# Configs (configuration_bert.py BertConfig.__init__, configuration_distilbert.py DistilBertConfig.__init__,
# configuration_utils.py PretrainedConfig: num_labels from id2label, default 2; problem_type default None)
# ---------------------------------------------------------------------------------------------------------------

BERT_DEFAULTS = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                     intermediate_size=3072, hidden_act="gelu", hidden_dropout_prob=0.1,
                     attention_probs_dropout_prob=0.1, max_position_embeddings=512, type_vocab_size=2,
                     initializer_range=0.02, layer_norm_eps=1e-12, pad_token_id=0,
                     position_embedding_type="absolute", use_cache=True, classifier_dropout=None)

DISTILBERT_DEFAULTS = dict(vocab_size=30522, max_position_embeddings=512, sinusoidal_pos_embds=False, n_layers=6,
                           n_heads=12, dim=768, hidden_dim=4 * 768, dropout=0.1, attention_dropout=0.1,
                           activation="gelu", initializer_range=0.02, qa_dropout=0.1, seq_classif_dropout=0.2,
                           pad_token_id=0)


class Config(dict):
    """config.json as an attribute dict, HF defaults filled in, plus num_labels / id2label / label2id."""

    def __init__(self, d, defaults):
        super().__init__()
        for k, v in defaults.items():
            self[k] = v
        self.update(d)
        if self.get("id2label") is not None:
            self["id2label"] = {int(k): v for k, v in self["id2label"].items()}
            self["num_labels"] = len(self["id2label"])
        else:
            n = int(d.get("num_labels", 2))
            self["num_labels"] = n
            self["id2label"] = {i: f"LABEL_{i}" for i in range(n)}
        if self.get("label2id") is None:
            self["label2id"] = {v: k for k, v in self["id2label"].items()}
        self.setdefault("problem_type", None)

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k)


def read_config(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    mt = d.get("model_type")
    if mt == "bert":
        return Config(d, BERT_DEFAULTS)
    if mt == "distilbert":
        return Config(d, DISTILBERT_DEFAULTS)
    raise ValueError(f"{path}: model_type {mt!r} is neither 'bert' nor 'distilbert'")


# ---------------------------------------------------------------------------------------------------------------
# BERT: modeling_bert.py @ 8ec58104 (eager attention: BertSelfAttention, not BertSdpaSelfAttention)
# ---------------------------------------------------------------------------------------------------------------

class BertEmbeddings(nn.Module):
    # modeling_bert.py BertEmbeddings: word + token_type (+ absolute position), LayerNorm, dropout.
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        if c.position_embedding_type != "absolute":
            raise ValueError("only position_embedding_type 'absolute' is implemented")
        # non-persistent buffers (not in the state_dict, as in HF since position_ids became persistent=False)
        self.register_buffer("position_ids", torch.arange(c.max_position_embeddings).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids, token_type_ids):
        seq_length = input_ids.size(1)
        position_ids = self.position_ids[:, :seq_length]
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        inputs_embeds = self.word_embeddings(input_ids)
        token_type_embeddings = self.token_type_embeddings(token_type_ids)
        embeddings = inputs_embeds + token_type_embeddings
        embeddings = embeddings + self.position_embeddings(position_ids)
        embeddings = self.LayerNorm(embeddings)
        return self.dropout(embeddings)


class BertSelfAttention(nn.Module):
    # modeling_bert.py BertSelfAttention.forward (absolute positions, encoder only)
    def __init__(self, c):
        super().__init__()
        if c.hidden_size % c.num_attention_heads != 0:
            raise ValueError("hidden_size must be a multiple of num_attention_heads")
        self.num_attention_heads = c.num_attention_heads
        self.attention_head_size = int(c.hidden_size / c.num_attention_heads)
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c.hidden_size, self.all_head_size)
        self.key = nn.Linear(c.hidden_size, self.all_head_size)
        self.value = nn.Linear(c.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        x = x.view(x.size()[:-1] + (self.num_attention_heads, self.attention_head_size))
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        attention_scores = attention_scores + attention_mask  # additive mask, precomputed in BertModel
        attention_probs = F.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        return context_layer.view(context_layer.size()[:-2] + (self.all_head_size,))


class BertSelfOutput(nn.Module):
    # modeling_bert.py BertSelfOutput: dense -> dropout -> LayerNorm(x + residual)   (post-LN)
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.intermediate_act_fn = ACT2FN[c.hidden_act]

    def forward(self, x):
        return self.intermediate_act_fn(self.dense(x))


class BertOutput(nn.Module):
    # modeling_bert.py BertOutput: dense -> dropout -> LayerNorm(x + residual)
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask):
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    # modeling_bert.py BertPooler: tanh(dense(hidden_states[:, 0]))
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


def extended_attention_mask(attention_mask, dtype):
    # modeling_utils.py ModuleUtilsMixin.get_extended_attention_mask (2-D mask, encoder):
    #   mask[:, None, None, :] -> (1.0 - mask) * torch.finfo(dtype).min
    m = attention_mask[:, None, None, :].to(dtype=dtype)
    return (1.0 - m) * torch.finfo(dtype).min


class BertModel(nn.Module):
    def __init__(self, c, add_pooling_layer=True):
        super().__init__()
        self.config = c
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        x = self.embeddings(input_ids, token_type_ids)
        ext = extended_attention_mask(attention_mask, x.dtype)
        seq = self.encoder(x, ext)
        pooled = self.pooler(seq) if self.pooler is not None else None
        return seq, pooled


class SequenceClassifierOutput:
    def __init__(self, loss, logits):
        self.loss, self.logits = loss, logits


def sequence_classification_loss(config, num_labels, logits, labels):
    """modeling_bert.py BertForSequenceClassification.forward (same code in DistilBert...): problem_type inference
    and the loss. Note: the inferred problem_type is written back into the config, as HF does."""
    if config.get("problem_type") is None:
        if num_labels == 1:
            config["problem_type"] = "regression"
        elif num_labels > 1 and (labels.dtype == torch.long or labels.dtype == torch.int):
            config["problem_type"] = "single_label_classification"
        else:
            config["problem_type"] = "multi_label_classification"
    pt = config["problem_type"]
    if pt == "regression":
        if num_labels == 1:
            return nn.MSELoss()(logits.squeeze(), labels.squeeze())
        return nn.MSELoss()(logits, labels)
    if pt == "single_label_classification":
        return nn.CrossEntropyLoss()(logits.view(-1, num_labels), labels.view(-1))
    if pt == "multi_label_classification":
        return nn.BCEWithLogitsLoss()(logits, labels)
    raise ValueError(f"unknown problem_type {pt!r}")


class BertForSequenceClassification(nn.Module):
    # modeling_bert.py BertForSequenceClassification: pooled output -> dropout(classifier_dropout, falling back to
    # hidden_dropout_prob when null) -> classifier Linear(hidden, num_labels)
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.num_labels = c.num_labels
        self.bert = BertModel(c)
        classifier_dropout = c.classifier_dropout if c.classifier_dropout is not None else c.hidden_dropout_prob
        self.dropout = nn.Dropout(classifier_dropout)
        self.classifier = nn.Linear(c.hidden_size, c.num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        _, pooled_output = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(self.dropout(pooled_output))
        loss = None if labels is None else sequence_classification_loss(self.config, self.num_labels, logits, labels)
        return SequenceClassifierOutput(loss, logits)


# ---------------------------------------------------------------------------------------------------------------
# DistilBERT: modeling_distilbert.py @ 00b326f4
# ---------------------------------------------------------------------------------------------------------------

def _create_sinusoidal_embeddings(n_pos, dim, out):
    # modeling_distilbert.py _create_sinusoidal_embeddings
    position_enc = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(n_pos)])
    out.requires_grad = False
    with torch.no_grad():
        out[:, 0::2] = torch.tensor(np.sin(position_enc[:, 0::2]), dtype=out.dtype)
        out[:, 1::2] = torch.tensor(np.cos(position_enc[:, 1::2]), dtype=out.dtype)
    out.detach_()


class DistilEmbeddings(nn.Module):
    # modeling_distilbert.py Embeddings: word + position (no token types), LayerNorm(eps=1e-12, fixed), dropout
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.dim, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.dim)
        if c.sinusoidal_pos_embds:
            _create_sinusoidal_embeddings(c.max_position_embeddings, c.dim, self.position_embeddings.weight)
        self.LayerNorm = nn.LayerNorm(c.dim, eps=1e-12)
        self.dropout = nn.Dropout(c.dropout)
        self.register_buffer("position_ids", torch.arange(c.max_position_embeddings).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids):
        position_ids = self.position_ids[:, :input_ids.size(1)]
        embeddings = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class MultiHeadSelfAttention(nn.Module):
    # modeling_distilbert.py MultiHeadSelfAttention: q scaled BEFORE the matmul, mask by masked_fill(finfo.min),
    # dropout on the weights, out_lin WITHOUT dropout.
    def __init__(self, c):
        super().__init__()
        self.n_heads = c.n_heads
        self.dim = c.dim
        self.dropout = nn.Dropout(p=c.attention_dropout)
        if self.dim % self.n_heads != 0:
            raise ValueError("n_heads must divide dim")
        self.q_lin = nn.Linear(c.dim, c.dim)
        self.k_lin = nn.Linear(c.dim, c.dim)
        self.v_lin = nn.Linear(c.dim, c.dim)
        self.out_lin = nn.Linear(c.dim, c.dim)

    def forward(self, query, key, value, mask):
        bs, q_length, dim = query.size()
        k_length = key.size(1)
        dim_per_head = self.dim // self.n_heads
        mask_reshp = (bs, 1, 1, k_length)

        def shape(x):
            return x.view(bs, -1, self.n_heads, dim_per_head).transpose(1, 2)

        def unshape(x):
            return x.transpose(1, 2).contiguous().view(bs, -1, self.n_heads * dim_per_head)

        q = shape(self.q_lin(query))
        k = shape(self.k_lin(key))
        v = shape(self.v_lin(value))
        q = q / math.sqrt(dim_per_head)
        scores = torch.matmul(q, k.transpose(2, 3))
        mask = (mask == 0).view(mask_reshp).expand_as(scores)
        scores = scores.masked_fill(mask, torch.tensor(torch.finfo(scores.dtype).min))
        weights = F.softmax(scores, dim=-1)
        weights = self.dropout(weights)
        context = unshape(torch.matmul(weights, v))
        return self.out_lin(context)


class FFN(nn.Module):
    # modeling_distilbert.py FFN: lin1 -> activation -> lin2 -> dropout
    def __init__(self, c):
        super().__init__()
        self.dropout = nn.Dropout(p=c.dropout)
        self.lin1 = nn.Linear(c.dim, c.hidden_dim)
        self.lin2 = nn.Linear(c.hidden_dim, c.dim)
        self.activation = ACT2FN[c.activation]

    def forward(self, x):
        return self.dropout(self.lin2(self.activation(self.lin1(x))))


class TransformerBlock(nn.Module):
    # modeling_distilbert.py TransformerBlock: sa_layer_norm(attn + x); output_layer_norm(ffn + sa_output)
    def __init__(self, c):
        super().__init__()
        self.attention = MultiHeadSelfAttention(c)
        self.sa_layer_norm = nn.LayerNorm(normalized_shape=c.dim, eps=1e-12)
        self.ffn = FFN(c)
        self.output_layer_norm = nn.LayerNorm(normalized_shape=c.dim, eps=1e-12)

    def forward(self, x, attn_mask):
        sa_output = self.sa_layer_norm(self.attention(x, x, x, attn_mask) + x)
        return self.output_layer_norm(self.ffn(sa_output) + sa_output)


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(c) for _ in range(c.n_layers)])

    def forward(self, x, attn_mask):
        for layer_module in self.layer:
            x = layer_module(x, attn_mask)
        return x


class DistilBertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = DistilEmbeddings(c)
        self.transformer = Transformer(c)

    def forward(self, input_ids, attention_mask=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return self.transformer(self.embeddings(input_ids), attention_mask)


class DistilBertForSequenceClassification(nn.Module):
    # modeling_distilbert.py DistilBertForSequenceClassification: hidden_state[:, 0] -> pre_classifier -> ReLU ->
    # dropout(seq_classif_dropout) -> classifier
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.num_labels = c.num_labels
        self.distilbert = DistilBertModel(c)
        self.pre_classifier = nn.Linear(c.dim, c.dim)
        self.classifier = nn.Linear(c.dim, c.num_labels)
        self.dropout = nn.Dropout(c.seq_classif_dropout)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        hidden_state = self.distilbert(input_ids, attention_mask)
        pooled_output = hidden_state[:, 0]
        pooled_output = nn.ReLU()(self.pre_classifier(pooled_output))
        logits = self.classifier(self.dropout(pooled_output))
        loss = None if labels is None else sequence_classification_loss(self.config, self.num_labels, logits, labels)
        return SequenceClassifierOutput(loss, logits)


def model_for_config(config):
    if config.model_type == "bert":
        return BertForSequenceClassification(config)
    if config.model_type == "distilbert":
        return DistilBertForSequenceClassification(config)
    raise ValueError(config.model_type)


def hf_init_weights(model, initializer_range):
    """modeling_bert.py BertPreTrainedModel._init_weights (DistilBertPreTrainedModel._init_weights is the same):
    Linear: weight ~ N(0, initializer_range), bias 0; Embedding: N(0, initializer_range), padding_idx row 0;
    LayerNorm: weight 1, bias 0. This is what a *missing* pooler / pre_classifier / classifier gets."""
    for module in model.modules():
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=initializer_range)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)


# ---------------------------------------------------------------------------------------------------------------
# Trainer pieces
# ---------------------------------------------------------------------------------------------------------------

def get_parameter_names(model, forbidden_layer_types, forbidden_layer_names=None):
    # trainer_pt_utils.py get_parameter_names (version with forbidden_layer_names; names matched lower-cased)
    forbidden_layer_patterns = [re.compile(p) for p in forbidden_layer_names] if forbidden_layer_names else []
    result = []
    for name, child in model.named_children():
        child_params = get_parameter_names(child, forbidden_layer_types, forbidden_layer_names)
        result += [
            f"{name}.{n}"
            for n in child_params
            if not isinstance(child, tuple(forbidden_layer_types))
            and not any(pattern.search(f"{name}.{n}".lower()) for pattern in forbidden_layer_patterns)
        ]
    result += [k for k in model._parameters if not any(p.search(k.lower()) for p in forbidden_layer_patterns)]
    return result


def get_decay_parameter_names(model):
    # trainer.py Trainer.get_decay_parameter_names @ 000945a9: not inside an nn.LayerNorm, and the lower-cased name
    # matches none of bias / layernorm / rmsnorm / (^|.)norm($|.) / _norm($|.)
    forbidden_name_patterns = [r"bias", r"layernorm", r"rmsnorm", r"(?:^|\.)norm(?:$|\.)", r"_norm(?:$|\.)"]
    return get_parameter_names(model, [nn.LayerNorm], forbidden_name_patterns)


def get_decay_parameter_names_legacy(model):
    # trainer.py (v4.2x-v4.4x): get_parameter_names(model, ALL_LAYERNORM_LAYERS); drop names containing "bias"
    return [n for n in get_parameter_names(model, [nn.LayerNorm]) if "bias" not in n]


def hf_adamw(model, lr, weight_decay, betas=(0.9, 0.999), eps=1e-8):
    # trainer.py Trainer.create_optimizer + get_optimizer_cls_and_kwargs (optim="adamw_torch"): two groups,
    # torch.optim.AdamW(lr=learning_rate, betas=(adam_beta1, adam_beta2), eps=adam_epsilon)
    decay = set(get_decay_parameter_names(model))
    groups = [
        {"params": [p for n, p in model.named_parameters() if n in decay and p.requires_grad],
         "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if n not in decay and p.requires_grad],
         "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps)


# optimization.py @ 005edacb: the lambdas (LambdaLR multiplies the group's initial lr by lambda(last_epoch))
def lr_lambda_constant(_step):
    return 1


def lr_lambda_constant_with_warmup(current_step, *, num_warmup_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def lr_lambda_linear(current_step, *, num_warmup_steps, num_training_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def lr_lambda_cosine(current_step, *, num_warmup_steps, num_training_steps, num_cycles=0.5, min_lr_rate=0.0):
    # (later versions define this twice; the second, with min_lr_rate=0.0 by default, gives identical values)
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def get_scheduler(name, optimizer, num_warmup_steps, num_training_steps):
    """optimization.py get_scheduler: note that 'constant' returns get_constant_schedule(optimizer) and IGNORES
    num_warmup_steps."""
    import functools
    from torch.optim.lr_scheduler import LambdaLR
    if name == "constant":
        return LambdaLR(optimizer, lr_lambda_constant)
    if name == "constant_with_warmup":
        return LambdaLR(optimizer, functools.partial(lr_lambda_constant_with_warmup, num_warmup_steps=num_warmup_steps))
    if name == "linear":
        return LambdaLR(optimizer, functools.partial(lr_lambda_linear, num_warmup_steps=num_warmup_steps,
                                                     num_training_steps=num_training_steps))
    if name == "cosine":
        return LambdaLR(optimizer, functools.partial(lr_lambda_cosine, num_warmup_steps=num_warmup_steps,
                                                     num_training_steps=num_training_steps, num_cycles=0.5))
    raise ValueError(name)


def get_warmup_steps(num_training_steps, warmup_steps=0, warmup_ratio=0.0):
    # training_args.py TrainingArguments.get_warmup_steps: warmup_steps wins when > 0, else ceil(T * ratio)
    return warmup_steps if warmup_steps > 0 else math.ceil(num_training_steps * warmup_ratio)


def update_steps(num_examples, per_device_train_batch_size, gradient_accumulation_steps, num_train_epochs,
                 max_steps=-1, dataloader_drop_last=False):
    """trainer.py @ 000945a9 Trainer.set_initial_training_values + the _inner_training_loop's grouping of batches
    into accumulation groups, for one process (world_size 1) and a sized dataset."""
    b, gas = per_device_train_batch_size, gradient_accumulation_steps
    len_dataloader = num_examples // b if dataloader_drop_last else math.ceil(num_examples / b)
    # set_initial_training_values
    num_update_steps_per_epoch = max(len_dataloader // gas + int(len_dataloader % gas > 0), 1)
    if max_steps < 0:
        total = math.ceil(num_train_epochs * num_update_steps_per_epoch)
        epochs = math.ceil(num_train_epochs)
    else:
        total = max_steps
        epochs = max_steps // num_update_steps_per_epoch + int(max_steps % num_update_steps_per_epoch > 0)
    # legacy (before PR #37923, e.g. v4.46-v4.51): floor division
    legacy_per_epoch = max(len_dataloader // gas, 1)
    legacy_total = math.ceil(num_train_epochs * legacy_per_epoch) if max_steps < 0 else max_steps
    # _inner_training_loop: per epoch, groups of gas batches, the last group holds the remainder; an optimizer step
    # after every group; training stops once global_step >= max_steps (DefaultFlowCallback.on_step_end)
    groups, global_step = [], 0
    for epoch in range(epochs):
        steps_in_epoch = len_dataloader
        remainder = steps_in_epoch % gas
        if remainder == 0:
            remainder = gas
        total_updates = steps_in_epoch // gas + int(remainder < gas)
        epoch_groups = []
        for update_step in range(total_updates):
            n = gas if update_step != total_updates - 1 else remainder
            epoch_groups.append(n)
            global_step += 1
            if global_step >= total:
                break
        groups.append(epoch_groups)
        if global_step >= total:
            break
    return {
        "len_dataloader": len_dataloader,
        "num_update_steps_per_epoch": num_update_steps_per_epoch,
        "max_steps": total,
        "num_train_epochs_loop": epochs,
        "micro_batches_per_update": groups,
        "loss_divisors": groups,  # training_step divides each micro-batch loss by current_gradient_accumulation_steps
        "updates_executed": global_step,
        "legacy_floor_num_update_steps_per_epoch": legacy_per_epoch,
        "legacy_floor_max_steps": legacy_total,
    }


# ---------------------------------------------------------------------------------------------------------------
# BertTokenizer (slow): tokenization_bert.py BasicTokenizer / WordpieceTokenizer, tokenization_utils.py
# _is_whitespace / _is_control / _is_punctuation
# ---------------------------------------------------------------------------------------------------------------

def _is_whitespace(char):
    if char == " " or char == "\t" or char == "\n" or char == "\r":
        return True
    return unicodedata.category(char) == "Zs"


def _is_control(char):
    if char == "\t" or char == "\n" or char == "\r":
        return False
    return unicodedata.category(char).startswith("C")


def _is_punctuation(char):
    cp = ord(char)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(char).startswith("P")


def whitespace_tokenize(text):
    text = text.strip()
    return text.split() if text else []


class BasicTokenizer:
    def __init__(self, do_lower_case=True, never_split=None, tokenize_chinese_chars=True, strip_accents=None,
                 do_split_on_punc=True):
        self.do_lower_case = do_lower_case
        self.never_split = set(never_split or [])
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.strip_accents = strip_accents
        self.do_split_on_punc = do_split_on_punc

    def tokenize(self, text, never_split=None):
        never_split = self.never_split.union(set(never_split)) if never_split else self.never_split
        text = self._clean_text(text)
        if self.tokenize_chinese_chars:
            text = self._tokenize_chinese_chars(text)
        # later versions: "prevents treating the same character with different unicode codepoints as different"
        text = unicodedata.normalize("NFC", text)
        split_tokens = []
        for token in whitespace_tokenize(text):
            if token not in never_split:
                if self.do_lower_case:
                    token = token.lower()
                    if self.strip_accents is not False:
                        token = self._run_strip_accents(token)
                elif self.strip_accents:
                    token = self._run_strip_accents(token)
            split_tokens.extend(self._run_split_on_punc(token, never_split))
        return whitespace_tokenize(" ".join(split_tokens))

    @staticmethod
    def _run_strip_accents(text):
        return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")

    def _run_split_on_punc(self, text, never_split=None):
        if not self.do_split_on_punc or (never_split is not None and text in never_split):
            return [text]
        output, start_new_word = [], True
        for char in text:
            if _is_punctuation(char):
                output.append([char])
                start_new_word = True
            else:
                if start_new_word:
                    output.append([])
                start_new_word = False
                output[-1].append(char)
        return ["".join(x) for x in output]

    @staticmethod
    def _is_chinese_char(cp):
        return ((0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF) or (0x20000 <= cp <= 0x2A6DF)
                or (0x2A700 <= cp <= 0x2B73F) or (0x2B740 <= cp <= 0x2B81F) or (0x2B820 <= cp <= 0x2CEAF)
                or (0xF900 <= cp <= 0xFAFF) or (0x2F800 <= cp <= 0x2FA1F))

    def _tokenize_chinese_chars(self, text):
        out = []
        for char in text:
            if self._is_chinese_char(ord(char)):
                out.extend([" ", char, " "])
            else:
                out.append(char)
        return "".join(out)

    @staticmethod
    def _clean_text(text):
        out = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            out.append(" " if _is_whitespace(char) else char)
        return "".join(out)


class WordpieceTokenizer:
    def __init__(self, vocab, unk_token, max_input_chars_per_word=100):
        self.vocab, self.unk_token, self.max_input_chars_per_word = vocab, unk_token, max_input_chars_per_word

    def tokenize(self, text):
        output_tokens = []
        for token in whitespace_tokenize(text):
            chars = list(token)
            if len(chars) > self.max_input_chars_per_word:
                output_tokens.append(self.unk_token)
                continue
            is_bad, start, sub_tokens = False, 0, []
            while start < len(chars):
                end, cur_substr = len(chars), None
                while start < end:
                    substr = "".join(chars[start:end])
                    if start > 0:
                        substr = "##" + substr
                    if substr in self.vocab:
                        cur_substr = substr
                        break
                    end -= 1
                if cur_substr is None:
                    is_bad = True
                    break
                sub_tokens.append(cur_substr)
                start = end
            if is_bad:
                output_tokens.append(self.unk_token)
            else:
                output_tokens.extend(sub_tokens)
        return output_tokens


class BertTokenizer:
    """BertTokenizer (slow) for single texts and pairs. Special tokens written literally in the text are kept whole
    (PreTrainedTokenizer.tokenize splits on added/special tokens before _tokenize)."""

    def __init__(self, vocab_tokens, do_lower_case=True, strip_accents=None, tokenize_chinese_chars=True,
                 unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]",
                 model_max_length=512):
        self.vocab = collections.OrderedDict((t, i) for i, t in enumerate(vocab_tokens))
        self.specials = [unk_token, sep_token, pad_token, cls_token, mask_token]
        self.unk_token, self.sep_token, self.pad_token, self.cls_token = unk_token, sep_token, pad_token, cls_token
        self.basic = BasicTokenizer(do_lower_case=do_lower_case, never_split=self.specials,
                                    tokenize_chinese_chars=tokenize_chinese_chars, strip_accents=strip_accents)
        self.wordpiece = WordpieceTokenizer(self.vocab, unk_token)
        self.model_max_length = model_max_length

    @classmethod
    def from_folder(cls, folder):
        import os
        with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
            tokens = [line.rstrip("\n") for line in f.readlines()]  # tokenization_bert.py load_vocab
        kw = {}
        cfg_path = os.path.join(folder, "tokenizer_config.json")
        if os.path.exists(cfg_path):
            with open(cfg_path, encoding="utf-8") as f:
                tc = json.load(f)
            for k in ("do_lower_case", "strip_accents", "tokenize_chinese_chars"):
                if k in tc:
                    kw[k] = tc[k]
            for k in ("unk_token", "sep_token", "pad_token", "cls_token", "mask_token"):
                v = tc.get(k)
                if isinstance(v, dict):
                    v = v.get("content")
                if isinstance(v, str):
                    kw[k] = v
            mml = tc.get("model_max_length")
            if isinstance(mml, (int, float)) and mml < 1e12:
                kw["model_max_length"] = int(mml)
        return cls(tokens, **kw)

    def _split_specials(self, text):
        if not self.specials:
            return [(text, False)]
        pat = "(" + "|".join(re.escape(s) for s in sorted(self.specials, key=len, reverse=True)) + ")"
        out = []
        for i, part in enumerate(re.split(pat, text)):
            if i % 2 == 1:
                out.append((part, True))
            elif part.strip():
                out.append((part, False))
        return out

    def tokenize(self, text):
        tokens = []
        for part, special in self._split_specials(text):
            if special:
                tokens.append(part)
                continue
            for token in self.basic.tokenize(part, never_split=self.specials):
                if token in self.basic.never_split:
                    tokens.append(token)
                else:
                    tokens.extend(self.wordpiece.tokenize(token))
        return tokens

    def convert_tokens_to_ids(self, tokens):
        unk = self.vocab.get(self.unk_token)
        return [self.vocab.get(t, unk) for t in tokens]

    def encode(self, text, text_pair=None, max_length=None):
        """[CLS] A [SEP] (B [SEP]), token_type_ids 0 for A (and its specials), 1 for B [SEP]. A single text is
        truncated to max_length - 2 word pieces before the specials are added (truncation=True). Pairs are only
        supported when they fit: HF's 'longest_first' tie-breaking has changed between versions."""
        a = self.convert_tokens_to_ids(self.tokenize(text))
        b = self.convert_tokens_to_ids(self.tokenize(text_pair)) if text_pair is not None else None
        if max_length is None:
            max_length = self.model_max_length
        n_special = 2 if b is None else 3
        budget = max_length - n_special
        if b is None:
            a = a[:max(budget, 0)]
        else:
            if len(a) + len(b) > budget:
                raise NotImplementedError("pair longer than max_length: truncation of pairs is not reproduced")
        cls_id, sep_id = self.vocab[self.cls_token], self.vocab[self.sep_token]
        ids = [cls_id] + a + [sep_id]
        types = [0] * len(ids)
        if b is not None:
            ids += b + [sep_id]
            types += [1] * (len(b) + 1)
        return ids, types

    def batch(self, texts, max_length=None, pairs=None):
        enc = [self.encode(t, pairs[i] if pairs else None, max_length) for i, t in enumerate(texts)]
        width = max(len(e[0]) for e in enc)
        pad = self.vocab[self.pad_token]
        ids = [e[0] + [pad] * (width - len(e[0])) for e in enc]
        types = [e[1] + [0] * (width - len(e[1])) for e in enc]
        mask = [[1] * len(e[0]) + [0] * (width - len(e[0])) for e in enc]
        return ids, mask, types
