//! Computing a recorded run's activations and writing them as safetensors.
//! The recorded tokens are fed to the model one pass at a time (teacher
//! forcing, as `replay --verify`): for a transformer trace they are the
//! model's own argmaxes, so the passes are the run's; for a VM trace they
//! are the VM's tokens. Each captured pass is copied at once into the
//! output tensors, so memory holds the tensors, not the captures.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Arc;

use safetensors::tensor::{Dtype, TensorView};

use super::{FORMAT, Hook, HookKind, PassRange, Request, VERSION};
use crate::engine::capture::PassCapture;
use crate::engine::{Mode, Model};
use crate::interpreter::TransformerRun;
use crate::trace::compare::differing_fields;
use crate::trace::format::WeightsInfo;
use crate::trace::reader::Trace;
use crate::weights::HeadKind;
use crate::weights::Weights;

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The passes, inclusive.
    pub range: PassRange,
    pub bytes: u64,
    /// Worth telling (a range cut at the trace's end, disagreements).
    pub notes: Vec<String>,
}

/// One output tensor, filled a pass (a row) at a time.
struct Tensor {
    name: String,
    dtype: Dtype,
    /// Values a pass; 0 for a tensor of one value a pass (`passes`).
    width: usize,
    data: Vec<u8>,
}

impl Tensor {
    fn new(name: String, dtype: Dtype, width: usize, passes: u64) -> Tensor {
        let capacity = 8 * width.max(1) * passes as usize;
        Tensor {
            name,
            dtype,
            width,
            data: Vec::with_capacity(capacity),
        }
    }

    fn push_f64(&mut self, value: f64) {
        self.data.extend_from_slice(&value.to_le_bytes());
    }

    fn push_i64(&mut self, value: i64) {
        self.data.extend_from_slice(&value.to_le_bytes());
    }

    fn shape(&self, passes: usize) -> Vec<usize> {
        match self.width {
            0 => vec![passes],
            width => vec![passes, width],
        }
    }
}

/// The tensors of one hook: one, or two for `attn.hook_pattern`
/// (`.position` and `.margin`).
enum Output {
    Resid(Hook, Tensor),
    Pattern {
        layer: usize,
        position: Tensor,
        margin: Tensor,
    },
    Mlp(usize, Tensor),
}

impl Output {
    fn new(hook: Hook, weights: &Weights, passes: u64) -> Output {
        let layer = &weights.layers[hook.layer];
        let name = hook.to_string();
        match hook.kind {
            HookKind::ResidPre | HookKind::ResidMid | HookKind::ResidPost => Output::Resid(
                hook,
                Tensor::new(name, Dtype::F64, weights.d_model(), passes),
            ),
            HookKind::Pattern => Output::Pattern {
                layer: hook.layer,
                position: Tensor::new(
                    format!("{name}.position"),
                    Dtype::I64,
                    layer.heads.len(),
                    passes,
                ),
                margin: Tensor::new(
                    format!("{name}.margin"),
                    Dtype::F64,
                    layer.heads.len(),
                    passes,
                ),
            },
            HookKind::MlpPost => Output::Mlp(
                hook.layer,
                Tensor::new(name, Dtype::F64, layer.neuron_names.len(), passes),
            ),
        }
    }

    fn tensors(&self) -> Vec<&Tensor> {
        match self {
            Output::Resid(_, t) | Output::Mlp(_, t) => vec![t],
            Output::Pattern {
                position, margin, ..
            } => vec![position, margin],
        }
    }

    /// Appends one pass's row from its capture.
    fn push(&mut self, capture: &PassCapture) {
        let layer_of = |l: usize| capture.layers.get(l);
        match self {
            Output::Resid(hook, t) => {
                let values = layer_of(hook.layer).map(|layer| match hook.kind {
                    HookKind::ResidPre => &layer.resid_pre,
                    HookKind::ResidMid => &layer.resid_mid,
                    _ => &layer.resid_post,
                });
                for d in 0..t.width {
                    t.push_f64(values.and_then(|v| v.get(d)).copied().unwrap_or(f64::NAN));
                }
            }
            Output::Pattern {
                layer,
                position,
                margin,
            } => {
                let heads = layer_of(*layer).map_or(&[][..], |l| l.heads.as_slice());
                for h in 0..position.width {
                    let hit = heads.get(h).and_then(|head| head.hit);
                    position.push_i64(hit.map_or(-1, |hit| hit.position as i64));
                    margin.push_f64(hit.map_or(f64::NAN, |hit| hit.margin));
                }
            }
            Output::Mlp(layer, t) => {
                let mut row = vec![0.0; t.width];
                for neuron in layer_of(*layer).map_or(&[][..], |l| l.neurons.as_slice()) {
                    if let Some(slot) = row.get_mut(neuron.index) {
                        *slot = neuron.gate * neuron.value;
                    }
                }
                row.into_iter().for_each(|v| t.push_f64(v));
            }
        }
    }
}

/// Feeds `trace`'s passes to `weights` and writes the activations `request`
/// asks for to `out`; `progress` is called with the pass now and then.
pub fn write_activations(
    trace: &Trace,
    weights: Arc<Weights>,
    weights_info: &WeightsInfo,
    request: &Request,
    out: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<Written, String> {
    let mut notes = Vec::new();
    let range = passes_to_write(trace, request, &mut notes)?;
    let (first, last) = (range.first, range.last.expect("a closed range"));
    let passes = last - first + 1;
    request.check_size(passes, &weights)?;

    let mut outputs: Vec<Output> = request
        .hooks
        .iter()
        .map(|&hook| Output::new(hook, &weights, passes))
        .collect();
    let mut numbers = Tensor::new("passes".into(), Dtype::I64, 0, passes);
    let disagreements = capture_passes(trace, &weights, range, progress, |pass, capture| {
        numbers.push_i64(pass as i64);
        for output in &mut outputs {
            output.push(capture);
        }
    })?;
    if disagreements > 0 {
        notes.push(format!(
            "the model's argmax differs from the recorded token at {disagreements} of passes {range} \
             (replay --verify lists them)"
        ));
    }

    let mut tensors: Vec<&Tensor> = vec![&numbers];
    tensors.extend(outputs.iter().flat_map(Output::tensors));
    let metadata = metadata(trace, &weights, weights_info, request, range);
    save(out, &tensors, passes, metadata)?;
    Ok(Written {
        range,
        bytes: tensors.iter().map(|t| t.data.len() as u64).sum(),
        notes,
    })
}

/// The passes `--passes` asks for, cut to the trace's end (with a note when
/// the run is known to have ended sooner); refused when it starts past it.
fn passes_to_write(
    trace: &Trace,
    request: &Request,
    notes: &mut Vec<String>,
) -> Result<PassRange, String> {
    let total = trace.passes.len() as u64;
    let first = request.range.first;
    if first > total {
        return Err(format!(
            "--passes {}: the trace has {total} passes",
            request.passes
        ));
    }
    let last = match request.range.last {
        Some(last) if last <= total => last,
        asked => {
            if asked.is_some() && trace.footer.is_some() {
                notes.push(format!(
                    "--passes {}: the run has {total} passes; activations of passes {first}..={total}",
                    request.passes
                ));
            }
            total
        }
    };
    Ok(PassRange {
        first,
        last: Some(last),
    })
}

/// Teacher-forces the recorded tokens from pass 1 to the range's end and
/// hands `keep` the capture of each pass in the range; returns at how many
/// of those the model's argmax differs from the recording.
fn capture_passes(
    trace: &Trace,
    weights: &Arc<Weights>,
    range: PassRange,
    progress: &mut dyn FnMut(u64),
    mut keep: impl FnMut(u64, &PassCapture),
) -> Result<usize, String> {
    let (first, last) = (range.first, range.last.expect("a closed range"));
    let model = Arc::new(Model::new(Arc::clone(weights)));
    let mut run = TransformerRun::new(
        model,
        Arc::clone(&trace.program),
        trace.files.clone(),
        Mode::Fast,
    )?;
    let mut capture = PassCapture::default();
    let mut disagreements = 0;
    for (pass, recorded) in (1..=last).zip(&trace.passes) {
        let captured = pass >= first;
        let argmax = run
            .step_forced(recorded.token, captured.then_some(&mut capture))
            .map_err(|e| format!("pass {pass}: {e}"))?;
        if captured {
            keep(pass, &capture);
            if !differing_fields(&recorded.token, &argmax).is_empty() {
                disagreements += 1;
            }
        }
        if pass.is_multiple_of(1024) {
            progress(pass);
        }
    }
    Ok(disagreements)
}

/// Writes the tensors, `passes` rows each, with `metadata`, to `out`.
fn save(
    out: &Path,
    tensors: &[&Tensor],
    passes: u64,
    metadata: HashMap<String, String>,
) -> Result<(), String> {
    let views = tensors
        .iter()
        .map(|t| {
            let view = TensorView::new(t.dtype, t.shape(passes as usize), &t.data)
                .map_err(|e| format!("tensor {}: {e}", t.name))?;
            Ok((t.name.clone(), view))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let cannot = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", out.display());
    // The library writes a private temporary file and renames it: the file
    // gets the permissions a created file would have (or already has).
    let permissions = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out)
        .and_then(|f| f.metadata())
        .map_err(|e| cannot(&e))?
        .permissions();
    safetensors::serialize_to_file(views, Some(metadata), out).map_err(|e| cannot(&e))?;
    std::fs::set_permissions(out, permissions).map_err(|e| cannot(&e))
}

/// The `__metadata__` map: what the file is of, and the names of every
/// residual dimension, head and neuron, as JSON arrays in index order.
fn metadata(
    trace: &Trace,
    weights: &Weights,
    weights_info: &WeightsInfo,
    request: &Request,
    range: PassRange,
) -> HashMap<String, String> {
    let json = |names: Vec<String>| serde_json::Value::from(names).to_string();
    let header = &trace.header;
    let mut map = HashMap::from([
        ("format".to_string(), FORMAT.to_string()),
        ("version".to_string(), VERSION.to_string()),
        ("passes".to_string(), range.to_string()),
        (
            "hooks".to_string(),
            json(request.hooks.iter().map(Hook::to_string).collect()),
        ),
        ("program".to_string(), header.program.name.clone()),
        ("program_sha256".to_string(), header.program.sha256.clone()),
        ("engine".to_string(), header.engine.clone()),
        ("weights_sha256".to_string(), weights_info.sha256.clone()),
        ("weights_source".to_string(), weights_info.source.clone()),
        (
            "architecture_sha256".to_string(),
            header.architecture.sha256.clone(),
        ),
        ("residual_names".to_string(), json(weights.dims.clone())),
    ]);
    for (l, layer) in weights.layers.iter().enumerate() {
        map.insert(
            format!("blocks.{l}.head_names"),
            json(layer.heads.iter().map(|h| h.name.clone()).collect()),
        );
        map.insert(
            format!("blocks.{l}.head_kinds"),
            json(layer.heads.iter().map(|h| head_kind(h.kind)).collect()),
        );
        map.insert(
            format!("blocks.{l}.neuron_names"),
            json(layer.neuron_names.clone()),
        );
    }
    map
}

/// `lookup` (its pattern position is a sequence position), `sum` (none) or
/// `cross:M` (an entry of file memory M).
fn head_kind(kind: HeadKind) -> String {
    match kind {
        HeadKind::Lookup => "lookup".into(),
        HeadKind::Sum => "sum".into(),
        HeadKind::Cross { memory } => format!("cross:{memory}"),
    }
}
