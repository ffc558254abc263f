//! The BERT encoder of a sentence-transformers model: token, position and type embeddings, then
//! layers of self-attention and a feed-forward block, each followed by a residual sum and a
//! layer norm, as Hugging Face's `modeling_bert.py` computes them.
//!
//! It is written out here, on candle tensors, rather than taken from `candle-transformers`, so
//! that its dense layers can run on AMX tiles ([`super::amx`]) where the CPU has them; they are
//! about 90% of the arithmetic. The query, key and value projections are fused into one
//! matrix. Everything else (attention products, softmax, GELU, layer norms) is candle's.

use candle_core::{DType, Module, Result, Storage, Tensor};
use candle_nn::{embedding, layer_norm, Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

use super::{amx, attention};

/// The activation between the feed-forward layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HiddenAct {
    Gelu,
    GeluApproximate,
    Relu,
}

/// Only absolute position embeddings exist in BERT checkpoints sentence-transformers ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PositionEmbeddingType {
    #[default]
    Absolute,
}

/// `config.json` of a BERT model. Field names, order and `Debug` output are those of
/// `candle-transformers`' BERT config, which trove used before: the model id hashes this
/// `Debug` text, so stored vectors stay valid across the change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: HiddenAct,
    pub hidden_dropout_prob: f64,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub initializer_range: f64,
    pub layer_norm_eps: f64,
    pub pad_token_id: usize,
    #[serde(default)]
    pub position_embedding_type: PositionEmbeddingType,
    #[serde(default)]
    pub use_cache: bool,
    pub classifier_dropout: Option<f64>,
    pub model_type: Option<String>,
}

/// The products the AMX path sums: `Split` gives f32's vectors (cosine above 0.999999 on the
/// test passages) at 33.5 passages/s, where f32 gave 13.6 in the same `bench --semantic` run.
/// `Bf16` alone ran at 38 to 41 in `trove import` runs but missed sentence-transformers'
/// reference cosines by 9e-4.
const PRECISION: amx::Precision = amx::Precision::Split;

/// Which kernels run the dense layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// AMX bf16 tiles where the CPU and kernel allow them, else f32.
    Auto,
    /// candle's f32 matmul everywhere (the reference, and what benchmarks compare with).
    F32,
}

impl Kernel {
    /// Whether dense layers will run on AMX.
    pub fn uses_amx(self) -> bool {
        self == Kernel::Auto && amx::available()
    }

    /// A short name for reports: `amx` or `f32`.
    pub fn name(self) -> &'static str {
        if self.uses_amx() {
            "amx"
        } else {
            "f32"
        }
    }
}

/// A dense layer `x · Wᵀ + b` over rows of `x`.
struct Dense {
    product: Product,
    /// The activation still to apply to the output (none when the kernel fused it).
    act: Option<HiddenAct>,
}

/// What computes a dense layer's product: one or the other, never both kept in memory.
enum Product {
    F32(Linear),
    Amx(amx::Packed),
}

impl Dense {
    /// Loads `weight` (`[outputs, inputs]`) and `bias` from each prefix in `parts` and stacks
    /// them into one layer (the fused query/key/value projection has three parts).
    fn load(parts: &[VarBuilder], inputs: usize, outputs: usize, kernel: Kernel) -> Result<Dense> {
        Dense::load_then(parts, inputs, outputs, kernel, None)
    }

    /// [`Dense::load`] with an activation after the bias. On AMX the activation is fused into
    /// the kernel's output pass; on f32 it is candle's.
    fn load_then(
        parts: &[VarBuilder],
        inputs: usize,
        outputs: usize,
        kernel: Kernel,
        act: Option<HiddenAct>,
    ) -> Result<Dense> {
        let mut weights = Vec::with_capacity(parts.len());
        let mut biases = Vec::with_capacity(parts.len());
        for vb in parts {
            weights.push(vb.get((outputs, inputs), "weight")?);
            biases.push(vb.get(outputs, "bias")?);
        }
        let weight = Tensor::cat(&weights, 0)?;
        let bias = Tensor::cat(&biases, 0)?;
        let packed = if kernel.uses_amx() {
            let w = weight.flatten_all()?.to_vec1::<f32>()?;
            let b = bias.to_vec1::<f32>()?;
            amx::Packed::new(&w, &b, outputs * parts.len(), inputs, PRECISION).map(|p| match act {
                Some(HiddenAct::Gelu) => p.with_gelu(),
                _ => p,
            })
        } else {
            None
        };
        let product = match packed {
            Some(p) => Product::Amx(p),
            None => Product::F32(Linear::new(weight, Some(bias))),
        };
        // What the kernel did not fuse runs after it.
        let act = match (&product, act) {
            (Product::Amx(p), Some(HiddenAct::Gelu)) if p.fuses_gelu() => None,
            (_, act) => act,
        };
        Ok(Dense { product, act })
    }

    /// Whether the product runs on AMX.
    fn on_amx(&self) -> bool {
        matches!(self.product, Product::Amx(_))
    }

    /// `x`: `[rows, inputs]`.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = self.product(x)?;
        match self.act {
            None => Ok(y),
            Some(HiddenAct::Gelu) => y.gelu_erf(),
            Some(HiddenAct::GeluApproximate) => y.gelu(),
            Some(HiddenAct::Relu) => y.relu(),
        }
    }

    /// `x · Wᵀ + b`, plus the activation where the kernel fuses it.
    fn product(&self, x: &Tensor) -> Result<Tensor> {
        let packed = match &self.product {
            Product::F32(linear) => return linear.forward(x),
            Product::Amx(packed) => packed,
        };
        let (rows, inputs) = x.dims2()?;
        if inputs != packed.inputs() {
            candle_core::bail!("dense layer takes {} inputs, got {inputs}", packed.inputs());
        }
        let out = with_values(x, |data| packed.forward(data, rows))?;
        Tensor::from_vec(out, (rows, packed.outputs()), x.device())
    }
}

/// Calls `f` with the values of `t` (an f32 tensor on the CPU), row-major.
fn with_values<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    let t = t.contiguous()?;
    let (storage, layout) = t.storage_and_layout();
    let Storage::Cpu(cpu) = &*storage else {
        candle_core::bail!("the AMX path runs on the CPU only");
    };
    Ok(f(
        &cpu.as_slice::<f32>()?[layout.start_offset()..][..t.elem_count()]
    ))
}

struct Embeddings {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    norm: LayerNorm,
}

impl Embeddings {
    fn load(vb: VarBuilder, c: &Config) -> Result<Embeddings> {
        Ok(Embeddings {
            word: embedding(c.vocab_size, c.hidden_size, vb.pp("word_embeddings"))?,
            position: embedding(
                c.max_position_embeddings,
                c.hidden_size,
                vb.pp("position_embeddings"),
            )?,
            token_type: embedding(
                c.type_vocab_size,
                c.hidden_size,
                vb.pp("token_type_embeddings"),
            )?,
            norm: layer_norm(c.hidden_size, c.layer_norm_eps, vb.pp("LayerNorm"))?,
        })
    }

    /// `ids`, `types`: `[batch, tokens]` → `[batch, tokens, hidden]`.
    fn forward(&self, ids: &Tensor, types: &Tensor) -> Result<Tensor> {
        let (_, tokens) = ids.dims2()?;
        let positions = Tensor::arange(0u32, tokens as u32, ids.device())?;
        let x = (self.word.forward(ids)? + self.token_type.forward(types)?)?
            .broadcast_add(&self.position.forward(&positions)?)?;
        self.norm.forward(&x)
    }
}

struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: LayerNorm,
    up: Dense,
    down: Dense,
    out_norm: LayerNorm,
    heads: usize,
    /// Dimensions per head.
    head: usize,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config, kernel: Kernel) -> Result<Layer> {
        let (h, i) = (c.hidden_size, c.intermediate_size);
        let attention = vb.pp("attention");
        let qkv = ["query", "key", "value"].map(|p| attention.pp("self").pp(p));
        Ok(Layer {
            qkv: Dense::load(&qkv, h, h, kernel)?,
            attention_out: Dense::load(&[attention.pp("output.dense")], h, h, kernel)?,
            attention_norm: layer_norm(h, c.layer_norm_eps, attention.pp("output.LayerNorm"))?,
            up: Dense::load_then(
                &[vb.pp("intermediate.dense")],
                h,
                i,
                kernel,
                Some(c.hidden_act),
            )?,
            down: Dense::load(&[vb.pp("output.dense")], i, h, kernel)?,
            out_norm: layer_norm(h, c.layer_norm_eps, vb.pp("output.LayerNorm"))?,
            heads: c.num_attention_heads,
            head: c.hidden_size / c.num_attention_heads,
        })
    }

    /// `x`: `[batch · tokens, hidden]`; `mask`: `[batch, 1, 1, tokens]`, 0 or a large negative;
    /// `lens`: each sequence's real tokens (`None` unless the mask is a prefix of ones).
    fn forward(
        &self,
        x: &Tensor,
        (batch, tokens): (usize, usize),
        mask: &Tensor,
        lens: Option<&[usize]>,
    ) -> Result<Tensor> {
        let context = match lens {
            Some(lens) if self.qkv.on_amx() && attention::supports(self.head) => {
                self.fused_attention(x, tokens, lens)?
            }
            _ => self.attention(x, batch, tokens, mask)?,
        };
        let attended = self
            .attention_norm
            .forward(&(self.attention_out.forward(&context)? + x)?)?;
        let up = self.up.forward(&attended)?;
        self.out_norm
            .forward(&(self.down.forward(&up)? + attended)?)
    }

    /// Self-attention on the AMX path: [`attention::attend`] over real tokens only.
    fn fused_attention(&self, x: &Tensor, tokens: usize, lens: &[usize]) -> Result<Tensor> {
        let hidden = x.dim(1)?;
        let qkv = self.qkv.forward(x)?;
        let context = with_values(&qkv, |data| {
            attention::attend(data, lens, tokens, self.heads, self.head)
        })?;
        Tensor::from_vec(context, (lens.len() * tokens, hidden), x.device())
    }

    /// Self-attention with candle's tensors, as Hugging Face computes it.
    fn attention(&self, x: &Tensor, batch: usize, tokens: usize, mask: &Tensor) -> Result<Tensor> {
        let hidden = x.dim(1)?;
        let head = hidden / self.heads;
        let qkv = self
            .qkv
            .forward(x)?
            .reshape((batch, tokens, 3, self.heads, head))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
        let scores = (q.matmul(&k.t()?)? / (head as f64).sqrt())?.broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((batch * tokens, hidden))
    }
}

/// Each row's count of leading ones, when every row is ones then zeros (padding at the end, as
/// `Embedder::forward` lays out batches); `None` otherwise.
fn prefix_lengths(mask: &[Vec<u32>]) -> Option<Vec<usize>> {
    mask.iter()
        .map(|row| {
            let len = row.iter().take_while(|&&m| m == 1).count();
            row[len..].iter().all(|&m| m == 0).then_some(len)
        })
        .collect()
}

/// A loaded BERT encoder.
pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
}

impl Bert {
    /// Loads the weights under `vb`: at the top level, under `bert.`, or under the config's
    /// `model_type`, as checkpoints name them.
    pub fn load(vb: VarBuilder, c: &Config, kernel: Kernel) -> Result<Bert> {
        let probe = "embeddings.word_embeddings.weight";
        let mut prefixes = vec!["bert".to_owned()];
        prefixes.extend(c.model_type.clone());
        let vb = prefixes
            .iter()
            .find(|p| !vb.contains_tensor(probe) && vb.contains_tensor(&format!("{p}.{probe}")))
            .map(|p| vb.pp(p))
            .unwrap_or(vb);
        let encoder = vb.pp("encoder");
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(encoder.pp(format!("layer.{i}")), c, kernel))
            .collect::<Result<Vec<_>>>()?;
        Ok(Bert {
            embeddings: Embeddings::load(vb.pp("embeddings"), c)?,
            layers,
        })
    }

    /// `ids` and `mask` (1 for a token, 0 for padding): `[batch, tokens]` →
    /// `[batch, tokens, hidden]`.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, tokens) = ids.dims2()?;
        let x = self.embeddings.forward(ids, &ids.zeros_like()?)?;
        let hidden = x.dim(2)?;
        let lens = prefix_lengths(&mask.to_vec2::<u32>()?);
        // Padding gets f32::MIN added to its attention scores, as Hugging Face does.
        let mask = ((mask.to_dtype(DType::F32)? - 1.0)? * -(f32::MIN as f64))?
            .reshape((batch, 1, 1, tokens))?;
        let mut x = x.reshape((batch * tokens, hidden))?;
        for layer in &self.layers {
            x = layer.forward(&x, (batch, tokens), &mask, lens.as_deref())?;
        }
        x.reshape((batch, tokens, hidden))
    }
}
