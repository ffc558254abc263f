//! Sentence-transformers pooling: token vectors `[batch, tokens, dims]` and an attention mask
//! in, one vector per sequence out, as the pooling module's `config.json` says (mean, CLS, max,
//! or mean divided by √length).

use candle_core::{DType, Tensor};
use serde_json::Value;

/// The pooling a model was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cls,
    Mean,
    Max,
    MeanSqrtLen,
}

/// Pooling mode and output width.
#[derive(Debug, Clone, Copy)]
pub struct Pooling {
    pub mode: Mode,
    pub dims: usize,
}

impl Pooling {
    /// Reads a `1_Pooling/config.json` value. Exactly one `pooling_mode_*` flag may be set.
    pub fn from_config(config: &Value) -> Result<Pooling, String> {
        let flag = |k: &str| config.get(k).and_then(Value::as_bool).unwrap_or(false);
        let modes = [
            ("pooling_mode_cls_token", Mode::Cls),
            ("pooling_mode_mean_tokens", Mode::Mean),
            ("pooling_mode_max_tokens", Mode::Max),
            ("pooling_mode_mean_sqrt_len_tokens", Mode::MeanSqrtLen),
        ];
        let on: Vec<Mode> = modes.iter().filter(|(k, _)| flag(k)).map(|m| m.1).collect();
        let [mode] = on.as_slice() else {
            return Err(format!(
                "the pooling config turns on {} pooling modes; trove supports exactly one of cls, mean, max, mean_sqrt_len",
                on.len()
            ));
        };
        let dims = config
            .get("word_embedding_dimension")
            .and_then(Value::as_u64)
            .ok_or("the pooling config has no word_embedding_dimension")?;
        Ok(Pooling {
            mode: *mode,
            dims: dims as usize,
        })
    }

    /// Pools `hidden` (`[b, t, d]`) over the tokens where `mask` (`[b, t]`, u32) is 1.
    pub fn apply(&self, hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        match self.mode {
            Mode::Cls => hidden.narrow(1, 0, 1)?.squeeze(1),
            Mode::Max => {
                // Padding positions get a large negative value so they never win.
                let penalty = ((mask.ones_like()? - &mask)? * -1e9)?;
                hidden.broadcast_add(&penalty)?.max(1)
            }
            Mode::Mean | Mode::MeanSqrtLen => {
                let sum = hidden.broadcast_mul(&mask)?.sum(1)?;
                let count = mask.sum(1)?.clamp(1e-9, f32::MAX)?;
                let divisor = if self.mode == Mode::Mean {
                    count
                } else {
                    count.sqrt()?
                };
                sum.broadcast_div(&divisor)
            }
        }
        .and_then(|t| t.contiguous())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn pool(mode: Mode) -> Vec<Vec<f32>> {
        // One sequence of 3 tokens, the last one padding.
        let hidden = Tensor::new(&[[[1f32, 2.], [3., 6.], [100., 100.]]], &Device::Cpu).unwrap();
        let mask = Tensor::new(&[[1u32, 1, 0]], &Device::Cpu).unwrap();
        let p = Pooling { mode, dims: 2 };
        p.apply(&hidden, &mask).unwrap().to_vec2().unwrap()
    }

    #[test]
    fn pooling_ignores_padding() {
        assert_eq!(pool(Mode::Mean), vec![vec![2., 4.]]);
        assert_eq!(pool(Mode::Max), vec![vec![3., 6.]]);
        assert_eq!(pool(Mode::Cls), vec![vec![1., 2.]]);
        let s = 2f32.sqrt();
        assert_eq!(pool(Mode::MeanSqrtLen), vec![vec![4. / s, 8. / s]]);
    }

    #[test]
    fn pooling_config_needs_exactly_one_mode() {
        let two = serde_json::json!({"word_embedding_dimension": 4,
            "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true});
        assert!(Pooling::from_config(&two)
            .unwrap_err()
            .contains("2 pooling modes"));
        let mean =
            serde_json::json!({"word_embedding_dimension": 4, "pooling_mode_mean_tokens": true});
        let p = Pooling::from_config(&mean).unwrap();
        assert_eq!((p.mode, p.dims), (Mode::Mean, 4));
    }
}
