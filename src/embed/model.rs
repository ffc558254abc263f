//! Loading a sentence-transformers model folder into an [`Embedder`] and turning text into
//! unit-length vectors with it.
//!
//! The folder is what sentence-transformers saves: `config.json` (a BERT config),
//! `tokenizer.json`, `model.safetensors`, `modules.json` (the pipeline: Transformer → Pooling →
//! optional Normalize) and the pooling module's `config.json`. Inference runs in pure Rust
//! (`bert.rs` on candle, the `tokenizers` crate); nothing is downloaded. Every way a folder can be
//! wrong is a [`ModelError`] that names the file and what to do.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;
use tokenizers::Tokenizer;

use super::bert::{Bert, Config as BertConfig, Kernel};
use super::pooling::Pooling;

/// How to get the default model, appended to "missing file" errors.
pub const GET_MODEL_HINT: &str = "get all-MiniLM-L6-v2 with `scripts/fetch-model.sh <dir>` or \
from Hugging Face (sentence-transformers/all-MiniLM-L6-v2), see README \"Semantic search\"";

/// A model folder that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file {path} is missing; {GET_MODEL_HINT}")]
    Missing { path: PathBuf },
    #[error("model file {path} is unreadable: {reason}; fetch the model again")]
    Corrupt { path: PathBuf, reason: String },
    #[error("the model in {dir} is not supported: {reason}")]
    Unsupported { dir: PathBuf, reason: String },
    #[error("the model in {dir} makes {found}-dimensional vectors, but {expected} were expected")]
    WrongDimension {
        dir: PathBuf,
        expected: usize,
        found: usize,
    },
    #[error("embedding failed: {0}")]
    Inference(String),
}

impl From<candle_core::Error> for ModelError {
    fn from(e: candle_core::Error) -> Self {
        ModelError::Inference(e.to_string())
    }
}

type Result<T> = std::result::Result<T, ModelError>;

/// One entry of `modules.json`.
#[derive(Deserialize)]
struct Module {
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

/// `sentence_bert_config.json` (optional).
#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

/// A loaded embedding model: tokenizer, BERT encoder, pooling and normalisation.
pub struct Embedder {
    model: Bert,
    kernel: Kernel,
    tokenizer: Tokenizer,
    /// The same tokenizer without truncation, for cutting passages.
    splitter: Tokenizer,
    pooling: Pooling,
    normalize: bool,
    dims: usize,
    max_tokens: usize,
    id: String,
    dir: PathBuf,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("id", &self.id)
            .field("dims", &self.dims)
            .finish()
    }
}

impl Embedder {
    /// Loads the model folder `dir`, with AMX kernels where the CPU has them.
    pub fn load(dir: &Path) -> Result<Embedder> {
        Embedder::load_with(dir, Kernel::Auto)
    }

    /// Loads the model folder `dir` with the given dense-layer kernels.
    pub fn load_with(dir: &Path, kernel: Kernel) -> Result<Embedder> {
        let modules: Vec<Module> = read_json(&dir.join("modules.json"))?;
        let (pooling_dir, normalize) = pipeline(dir, &modules)?;
        let pooling_file = dir.join(pooling_dir).join("config.json");
        let pooling = Pooling::from_config(&read_json(&pooling_file)?)
            .map_err(|reason| unsupported(dir, reason))?;
        let config: BertConfig = read_json(&dir.join("config.json"))?;
        check_bert(dir, &config, pooling.dims)?;
        let max_tokens = max_tokens(dir, &config)?;
        let tokenizer = load_tokenizer(&dir.join("tokenizer.json"), max_tokens)?;
        let mut splitter = tokenizer.clone();
        splitter
            .with_truncation(None)
            .map_err(|e| ModelError::Inference(e.to_string()))?;
        let weights = dir.join("model.safetensors");
        let bytes = read(&weights)?;
        let settings = format!("{config:?}{:?}{normalize}{max_tokens}", pooling.mode);
        let id = model_id(dir, &bytes, &settings, pooling.dims);
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| corrupt(&weights, e))?;
        let model = Bert::load(vb, &config, kernel).map_err(|e| corrupt(&weights, e))?;
        Ok(Embedder {
            model,
            kernel,
            tokenizer,
            splitter,
            dims: pooling.dims,
            pooling,
            normalize,
            max_tokens,
            id,
            dir: dir.to_owned(),
        })
    }

    /// Identifies the model's weights and settings: vectors from different ids never mix.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Length of every vector this model makes.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The kernels the dense layers run on.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Longest input in tokens (including `[CLS]`/`[SEP]`); longer text is truncated.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The folder the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The tokenizer (passage splitting counts tokens with it).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Cuts a document into passages: about 200-token overlapping windows, each prefixed with the
    /// title and breadcrumb.
    pub fn passages(&self, title: &str, path: &[String], body: &str) -> Vec<super::Passage> {
        super::passages::split(&self.splitter, title, path, body)
    }

    /// Fails with [`ModelError::WrongDimension`] unless vectors have `expected` dimensions.
    pub fn expect_dims(&self, expected: usize) -> Result<()> {
        if self.dims == expected {
            return Ok(());
        }
        Err(ModelError::WrongDimension {
            dir: self.dir.clone(),
            expected,
            found: self.dims,
        })
    }

    /// Embeds one text.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>> {
        let mut out = self.embed_batch(&[text])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Embeds texts in one forward pass (padded to the longest); one vector per text, in order.
    pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| ModelError::Inference(format!("tokenizing: {e}")))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        self.forward(&ids)
    }

    /// Runs the encoder over token id sequences and pools them into vectors.
    pub fn forward(&self, ids: &[&[u32]]) -> Result<Vec<Vec<f32>>> {
        let width = ids.iter().map(|s| s.len()).max().unwrap_or(0).max(1);
        let mut flat_ids = Vec::with_capacity(ids.len() * width);
        let mut mask = Vec::with_capacity(ids.len() * width);
        for seq in ids {
            flat_ids.extend_from_slice(seq);
            flat_ids.resize(flat_ids.len() + width - seq.len(), 0);
            mask.extend(std::iter::repeat_n(1u32, seq.len()));
            mask.extend(std::iter::repeat_n(0u32, width - seq.len()));
        }
        let shape = (ids.len(), width);
        let input = Tensor::from_vec(flat_ids, shape, &Device::Cpu)?;
        let mask = Tensor::from_vec(mask, shape, &Device::Cpu)?;
        let hidden = self.model.forward(&input, &mask)?;
        let pooled = self.pooling.apply(&hidden, &mask)?;
        let pooled = if self.normalize {
            l2_normalize(&pooled)?
        } else {
            pooled
        };
        Ok(pooled.to_vec2::<f32>()?)
    }
}

/// Divides each row by its L2 norm.
fn l2_normalize(x: &Tensor) -> candle_core::Result<Tensor> {
    let norm = x.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
    x.broadcast_div(&norm)
}

/// Checks `modules.json`: Transformer, then Pooling, then optionally Normalize. Returns the
/// pooling module's folder and whether vectors are normalised.
fn pipeline<'m>(dir: &Path, modules: &'m [Module]) -> Result<(&'m str, bool)> {
    let kinds: Vec<&str> = modules
        .iter()
        .map(|m| m.kind.rsplit('.').next().unwrap_or(""))
        .collect();
    match kinds.as_slice() {
        ["Transformer", "Pooling"] => Ok((&modules[1].path, false)),
        ["Transformer", "Pooling", "Normalize"] => Ok((&modules[1].path, true)),
        _ => Err(unsupported(
            dir,
            format!(
                "modules.json lists [{}]; trove runs Transformer, Pooling and optionally Normalize",
                kinds.join(", ")
            ),
        )),
    }
}

/// BERT-family only, and the pooling width must be the encoder's width.
fn check_bert(dir: &Path, config: &BertConfig, pooled: usize) -> Result<()> {
    if let Some(t) = config.model_type.as_deref() {
        if t != "bert" {
            return Err(unsupported(
                dir,
                format!("config.json has model_type `{t}`; trove runs BERT models"),
            ));
        }
    }
    if config.hidden_size != pooled {
        return Err(ModelError::WrongDimension {
            dir: dir.to_owned(),
            expected: config.hidden_size,
            found: pooled,
        });
    }
    Ok(())
}

/// `max_seq_length` from `sentence_bert_config.json`, capped by the position embeddings.
fn max_tokens(dir: &Path, config: &BertConfig) -> Result<usize> {
    let path = dir.join("sentence_bert_config.json");
    let configured = if path.exists() {
        read_json::<SentenceBertConfig>(&path)?.max_seq_length
    } else {
        None
    };
    Ok(configured
        .unwrap_or(config.max_position_embeddings)
        .min(config.max_position_embeddings))
}

fn load_tokenizer(path: &Path, max_tokens: usize) -> Result<Tokenizer> {
    if !path.exists() {
        return Err(ModelError::Missing {
            path: path.to_owned(),
        });
    }
    let mut tokenizer = Tokenizer::from_file(path).map_err(|e| corrupt(path, e))?;
    let truncation = tokenizers::TruncationParams {
        max_length: max_tokens,
        ..Default::default()
    };
    tokenizer
        .with_truncation(Some(truncation))
        .map_err(|e| corrupt(path, e))?;
    tokenizer.with_padding(None);
    Ok(tokenizer)
}

/// A short fingerprint of the model: folder name, dimensions, and a hash over the settings and
/// the weights (safetensors header plus sampled blocks, so loading stays fast).
fn model_id(dir: &Path, weights: &[u8], settings: &str, dims: usize) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    let mut h = Fnv::default();
    h.write(settings.as_bytes());
    h.write(&(weights.len() as u64).to_le_bytes());
    let header = weights.len().min(64 * 1024);
    h.write(&weights[..header]);
    let block = 4096;
    for i in 0..64 {
        let at = weights.len().saturating_sub(block) * i / 63;
        h.write(&weights[at..(at + block).min(weights.len())]);
    }
    format!("{name}/{dims}d/{:016x}", h.0)
}

/// FNV-1a, 64 bits: a stable fingerprint (not security).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ModelError::Missing {
            path: path.to_owned(),
        },
        _ => corrupt(path, e),
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| corrupt(path, e))
}

fn corrupt(path: &Path, e: impl std::fmt::Display) -> ModelError {
    ModelError::Corrupt {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

fn unsupported(dir: &Path, reason: String) -> ModelError {
    ModelError::Unsupported {
        dir: dir.to_owned(),
        reason,
    }
}
