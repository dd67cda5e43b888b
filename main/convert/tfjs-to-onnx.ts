// Converts a TensorFlow.js graph model to ONNX (opset 13). TF's NHWC spatial ops are wrapped in
// transposes to ONNX's NCHW; ONNX Runtime's transpose optimiser removes the redundant pairs.
import { convertToFloat16 } from './float16.js';
import { OnnxGraphBuilder, OnnxType } from '../models/onnx-builder.js';
import { ConversionError, decodeB64, foldConstant, ints, nums, ONNX_OF, tfType } from './tfjs-constants.js';
import { type ConstTensor, type TfDtype, type TfGraphModel, type TfNode } from './tfjs-graph.js';

export interface ConvertOptions {
  /** ONNX name for the (single) graph input; defaults to the TF placeholder's name. */
  inputName?: string;
  /** TF output tensor names to convert, in order; defaults to the model's signature outputs. */
  outputs?: string[];
  /** Appends nodes after the converted outputs (e.g. reshaping to a parser layout) and names the final graph outputs. */
  appendLayout?: (b: OnnxGraphBuilder, outputs: string[]) => { name: string; shape: number[] }[];
  /**
   * Makes the batch dimension symbolic ('batch') instead of the traced size 1: the input's and the
   * outputs' first dimension, and every constant Reshape target whose first entry is that 1 (it
   * becomes 0, "copy the input's first dimension"). Only for graphs whose leading dimension is the
   * batch everywhere and that never mix images (no batch gathers); check with a batch-of-2 test.
   */
  dynamicBatch?: boolean;
  /** Also emit the FP16 variant (float16.ts: float32 input and outputs, float16 inside) as onnxFloat16. */
  float16?: boolean;
  producer?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export type Dim = number | string;

export interface ConvertResult {
  onnx: Uint8Array;
  onnxFloat16?: Uint8Array;
  input: { name: string; shape: Dim[] };
  outputs: { name: string; shape: Dim[] }[];
  nodeCount: number;
  foldedNodes: number;
}

/** Converts the graph; throws ConversionError naming the node and op that cannot be converted. */
export function convertTfjsToOnnx(model: TfGraphModel, options: ConvertOptions = {}): ConvertResult {
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const consts = new Map<string, ConstTensor>();
  for (const n of model.nodes) {
    if (n.op !== 'Const') continue;
    const w = model.weights.get(n.name);
    if (!w) throw new ConversionError(`${model.source}: constant '${n.name}' has no data in the weights manifest — the model.json and .bin do not match`);
    consts.set(n.name, w);
  }
  const placeholders = model.nodes.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) throw new ConversionError(`${model.source}: expected one input placeholder, found ${placeholders.length}`);
  const placeholder = placeholders[0]!;
  const tracedShape = model.inputs.find((i) => i.name === placeholder.name)?.shape ?? [];
  const dynamicBatch = options.dynamicBatch === true;
  if (dynamicBatch && tracedShape.length > 0 && tracedShape[0] !== 1 && tracedShape[0] !== -1)
    throw new ConversionError(`${model.source}: dynamic batch needs an input traced with batch 1 (or unknown), not ${JSON.stringify(tracedShape)}`);
  const batchDim = <T extends Dim>(shape: T[]): Dim[] =>
    dynamicBatch && shape.length > 0 && (shape[0] === 1 || shape[0] === -1) ? ['batch', ...shape.slice(1)] : shape;
  const inputShape = batchDim(tracedShape);
  const outputRefs = options.outputs ?? model.outputs.map((o) => o.name);
  if (outputRefs.length === 0) throw new ConversionError(`${model.source}: the model declares no outputs; pass them explicitly`);

  // Topological order of the nodes the outputs need (also prunes dead branches).
  const order: TfNode[] = [];
  const state = new Map<string, 1 | 2>();
  const nodeOf = (ref: string) => ref.split(':')[0]!;
  const visit = (root: string) => {
    const stack: [string, boolean][] = [[root, false]];
    while (stack.length) {
      const [name, done] = stack.pop()!;
      if (done) {
        state.set(name, 2);
        order.push(byName.get(name)!);
        continue;
      }
      if (state.has(name)) continue;
      const node = byName.get(name);
      if (!node) throw new ConversionError(`${model.source}: node '${name}' is referenced but not defined`);
      state.set(name, 1);
      stack.push([name, true]);
      for (const i of node.inputs) if (!state.has(nodeOf(i))) stack.push([nodeOf(i), false]);
    }
  };
  for (const o of outputRefs) visit(nodeOf(o));

  const b = new OnnxGraphBuilder(model.source.replace(/^.*\//, '').replace(/\.json$/, ''));
  const inputName = options.inputName ?? placeholder.name;
  const names = new Map<string, string>([[placeholder.name, inputName]]);
  const dtypes = new Map<string, TfDtype>([[placeholder.name, 'float32']]);
  let folded = 0;

  const constOf = (node: TfNode, idx: number): ConstTensor => {
    const c = consts.get(node.inputs[idx]!);
    if (!c) throw new ConversionError(`node '${node.name}' (${node.op}): input ${idx} ('${node.inputs[idx]!}') must be a constant for conversion`);
    return c;
  };
  const tensor = (ref: string): string => {
    const mapped = names.get(ref);
    if (mapped) return mapped;
    const c = consts.get(ref);
    if (!c) throw new ConversionError(`tensor '${ref}' is used before it is produced`);
    const data = c.dtype === 'float32' ? Float32Array.from(c.data) : c.dtype === 'int32' ? Int32Array.from(c.data) : Uint8Array.from(c.data);
    const name = b.constant(ref, ONNX_OF[c.dtype], c.shape, data);
    names.set(ref, name);
    return name;
  };
  const dtypeOf = (ref: string): TfDtype => consts.get(ref)?.dtype ?? dtypes.get(ref) ?? 'float32';
  const toNchw = (x: string) => b.op('Transpose', [x], { perm: [0, 3, 1, 2] });
  const toNhwc = (x: string, out: string) => b.op('Transpose', [x], { perm: [0, 2, 3, 1] }, out);
  const setOut = (node: TfNode, dtype: TfDtype, index = 0) => {
    const ref = index === 0 ? node.name : `${node.name}:${index}`;
    names.set(ref, ref);
    dtypes.set(ref, dtype);
    return ref;
  };
  const spatial = (node: TfNode) => {
    const format = decodeB64(node.attr.data_format?.s) || 'NHWC';
    const strides = ints(node.attr.strides);
    const dilations = ints(node.attr.dilations);
    const nhwc = format === 'NHWC';
    const hw = (a: number[], dflt: number): number[] => (a.length === 4 ? (nhwc ? [a[1]!, a[2]!] : [a[2]!, a[3]!]) : [dflt, dflt]);
    const padding = decodeB64(node.attr.padding?.s);
    const attrs: Record<string, number | string | number[]> = { strides: hw(strides, 1) };
    if (padding === 'SAME') attrs.auto_pad = 'SAME_UPPER';
    else if (padding === 'VALID') attrs.pads = [0, 0, 0, 0];
    else if (padding === 'EXPLICIT') {
      const e = ints(node.attr.explicit_paddings);
      const [t, bo, l, r] = (nhwc ? [e[2], e[3], e[4], e[5]] : [e[4], e[5], e[6], e[7]]) as number[];
      attrs.pads = [t!, l!, bo!, r!];
    } else throw new ConversionError(`node '${node.name}' (${node.op}): padding '${padding}' is not supported`);
    return { nhwc, attrs, dilations: hw(dilations, 1) };
  };

  for (const node of order) {
    if (node.op === 'Placeholder' || node.op === 'Const') continue;
    if (node.inputs.every((i) => consts.has(i))) {
      const value = foldConstant(
        node,
        node.inputs.map((i) => consts.get(i)!),
      );
      if (value) {
        consts.set(node.name, value);
        folded++;
        continue;
      }
    }
    const x = () => tensor(node.inputs[0]!);
    const T = () => tfType(node, 'T', 'dtype');
    switch (node.op) {
      case 'Identity':
        b.op('Identity', [x()], {}, setOut(node, dtypeOf(node.inputs[0]!)));
        break;
      case 'Transpose':
        b.op('Transpose', [x()], { perm: nums(constOf(node, 1)) }, setOut(node, dtypeOf(node.inputs[0]!)));
        break;
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
      case 'Sub':
      case 'Mul':
      case 'RealDiv':
      case 'Maximum':
      case 'Minimum': {
        const onnxOp = { Add: 'Add', AddV2: 'Add', BiasAdd: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Maximum: 'Max', Minimum: 'Min' }[node.op]!;
        if (node.op === 'BiasAdd' && decodeB64(node.attr.data_format?.s) === 'NCHW')
          throw new ConversionError(`node '${node.name}': NCHW BiasAdd is not supported`);
        b.op(onnxOp, [x(), tensor(node.inputs[1]!)], {}, setOut(node, T()));
        break;
      }
      case 'FloorDiv': {
        const out = setOut(node, T());
        // integer Div truncates; TF.js exports use FloorDiv on non-negative indices, where the two agree
        if (T() === 'int32') b.op('Div', [x(), tensor(node.inputs[1]!)], {}, out);
        else b.op('Floor', [b.op('Div', [x(), tensor(node.inputs[1]!)])], {}, out);
        break;
      }
      case 'FloorMod': {
        const out = setOut(node, T());
        if (T() === 'int32') b.op('Mod', [x(), tensor(node.inputs[1]!)], { fmod: 0 }, out);
        else {
          const y = tensor(node.inputs[1]!);
          b.op('Sub', [x(), b.op('Mul', [b.op('Floor', [b.op('Div', [x(), y])]), y])], {}, out);
        }
        break;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Exp':
      case 'Sqrt':
      case 'Neg':
      case 'Abs':
        b.op(node.op, [x()], {}, setOut(node, 'float32'));
        break;
      case 'Rsqrt':
        b.op('Reciprocal', [b.op('Sqrt', [x()])], {}, setOut(node, 'float32'));
        break;
      case 'Softmax':
        b.op('Softmax', [x()], { axis: -1 }, setOut(node, 'float32'));
        break;
      case 'LeakyRelu':
        b.op('LeakyRelu', [x()], { alpha: { float: node.attr.alpha?.f ?? 0.2 } }, setOut(node, 'float32'));
        break;
      case 'Relu6':
        b.op('Clip', [x(), b.float('zero', [0], []), b.float('six', [6], [])], {}, setOut(node, 'float32'));
        break;
      case 'Pad':
      case 'PadV2': {
        const p = nums(constOf(node, 1));
        const rank = p.length / 2;
        const pads = [...Array.from({ length: rank }, (_, i) => p[2 * i]!), ...Array.from({ length: rank }, (_, i) => p[2 * i + 1]!)];
        const inputs = [x(), b.int64('pads', pads)];
        if (node.op === 'PadV2') inputs.push(tensor(node.inputs[2]!));
        b.op('Pad', inputs, { mode: 'constant' }, setOut(node, T()));
        break;
      }
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        const { nhwc, attrs, dilations } = spatial(node);
        const depthwise = node.op.includes('Depthwise');
        const w = constOf(node, 1);
        const [kh, kw, cin, cout] = w.shape as [number, number, number, number]; // HWIO, or H W Cin multiplier for depthwise
        const outCh = depthwise ? cin * cout : cout;
        const oihw = new Float32Array(w.data.length);
        for (let h = 0; h < kh; h++)
          for (let x2 = 0; x2 < kw; x2++)
            for (let i = 0; i < cin; i++)
              for (let o = 0; o < cout; o++) {
                const src = ((h * kw + x2) * cin + i) * cout + o;
                const dst = depthwise ? (((i * cout + o) * 1 + 0) * kh + h) * kw + x2 : ((o * cin + i) * kh + h) * kw + x2;
                oihw[dst] = w.data[src]!;
              }
        const weightName = b.constant(`${node.name}/weights_oihw`, OnnxType.FLOAT, depthwise ? [outCh, 1, kh, kw] : [cout, cin, kh, kw], oihw);
        const inputs = [nhwc ? toNchw(x()) : x(), weightName];
        const fused = (node.attr.fused_ops?.list?.s ?? []).map(decodeB64);
        let rest = fused;
        if (fused[0] === 'BiasAdd') {
          inputs.push(tensor(node.inputs[2]!));
          rest = fused.slice(1);
        } else if (fused.length > 0) throw new ConversionError(`node '${node.name}' (${node.op}): fused ops [${fused.join(', ')}] are not supported`);
        let y = b.op('Conv', inputs, { ...attrs, dilations, kernel_shape: [kh, kw], group: depthwise ? cin : 1 });
        for (const act of rest) {
          if (act === 'Relu') y = b.op('Relu', [y]);
          else if (act === 'Relu6') y = b.op('Clip', [y, b.float('zero', [0], []), b.float('six', [6], [])]);
          else if (act === 'LeakyRelu') y = b.op('LeakyRelu', [y], { alpha: { float: node.attr.leakyrelu_alpha?.f ?? 0.2 } });
          else if (act === 'Sigmoid') y = b.op('Sigmoid', [y]);
          else throw new ConversionError(`node '${node.name}' (${node.op}): fused activation '${act}' is not supported`);
        }
        const out = setOut(node, 'float32');
        if (nhwc) toNhwc(y, out);
        else b.op('Identity', [y], {}, out);
        break;
      }
      case 'MaxPool':
      case 'AvgPool': {
        const { nhwc, attrs } = spatial(node);
        const k = ints(node.attr.ksize);
        const kernel = (nhwc ? [k[1], k[2]] : [k[2], k[3]]) as number[];
        const extra: Record<string, number> = node.op === 'AvgPool' ? { count_include_pad: 0 } : {};
        const y = b.op(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [nhwc ? toNchw(x()) : x()], { ...attrs, ...extra, kernel_shape: kernel });
        const out = setOut(node, 'float32');
        if (nhwc) toNhwc(y, out);
        else b.op('Identity', [y], {}, out);
        break;
      }
      case 'ConcatV2': {
        const axis = constOf(node, node.inputs.length - 1).data[0]!;
        b.op('Concat', node.inputs.slice(0, -1).map(tensor), { axis }, setOut(node, T()));
        break;
      }
      case 'SplitV':
      case 'Split': {
        const isV = node.op === 'SplitV';
        const axis = constOf(node, isV ? 2 : 0).data[0]!;
        const value = tensor(node.inputs[isV ? 0 : 1]!);
        const n = Number(node.attr.num_split?.i ?? 1);
        const outs = Array.from({ length: n }, (_, i) => setOut(node, T(), i));
        const inputs = isV ? [value, b.int64('split', nums(constOf(node, 1)))] : [value];
        b.node('Split', inputs, outs, { axis });
        break;
      }
      case 'Reshape': {
        const shapeRef = node.inputs[1]!;
        const target = consts.has(shapeRef) ? nums(consts.get(shapeRef)!) : undefined;
        // dynamic batch: a leading traced 1 becomes 0 (ONNX: copy the input's dimension), so any batch reshapes alike
        if (target && dynamicBatch && target.length > 1 && target[0] === 1) target[0] = 0;
        if (!target && dynamicBatch)
          throw new ConversionError(`node '${node.name}': Reshape to a computed shape cannot be made batch-agnostic; convert with a fixed batch`);
        const shape = target ? b.int64('shape', target) : b.op('Cast', [tensor(shapeRef)], { to: OnnxType.INT64 });
        b.op('Reshape', [x(), shape], {}, setOut(node, T()));
        break;
      }
      case 'ExpandDims':
        b.op('Unsqueeze', [x(), b.int64('axes', nums(constOf(node, 1)))], {}, setOut(node, T()));
        break;
      case 'Squeeze': {
        const axes = ints(node.attr.squeeze_dims);
        b.op('Squeeze', axes.length ? [x(), b.int64('axes', axes)] : [x()], {}, setOut(node, T()));
        break;
      }
      case 'Mean':
      case 'Max':
      case 'Min': {
        const axes = nums(constOf(node, 1));
        const keep = node.attr.keep_dims?.b ? 1 : 0;
        b.op(`Reduce${node.op}`, [x()], { axes, keepdims: keep }, setOut(node, T()));
        break;
      }
      case 'ResizeBilinear':
      case 'ResizeNearestNeighbor': {
        const size = nums(constOf(node, 1));
        const alignCorners = node.attr.align_corners?.b === true;
        const halfPixel = node.attr.half_pixel_centers?.b === true;
        const nchw = toNchw(x());
        // Scales, not sizes: ONNX Runtime 1.29's CUDA Resize crashes on a sizes input (seen on an
        // H100), so the target size becomes scales = size / input size, computed in the graph.
        const inHw = b.op('Slice', [b.op('Shape', [nchw]), b.int64('two', [2]), b.int64('four', [4])]);
        const hwScales = b.op('Div', [b.float('hw', size), b.op('Cast', [inHw], { to: OnnxType.FLOAT })]);
        const scales = b.op('Concat', [b.float('one_one', [1, 1]), hwScales], { axis: 0 });
        const linear = node.op === 'ResizeBilinear';
        const attrs: Record<string, string> = {
          mode: linear ? 'linear' : 'nearest',
          coordinate_transformation_mode: alignCorners ? 'align_corners' : halfPixel ? (linear ? 'half_pixel' : 'tf_half_pixel_for_nn') : 'asymmetric',
        };
        if (!linear) attrs.nearest_mode = alignCorners ? 'round_prefer_ceil' : 'floor';
        const y = b.op('Resize', [nchw, '', scales], attrs);
        toNhwc(y, setOut(node, 'float32'));
        break;
      }
      case 'Cast': {
        const to = tfType(node, 'DstT');
        b.op('Cast', [x()], { to: ONNX_OF[to] }, setOut(node, to));
        break;
      }
      case 'Equal':
      case 'Greater':
      case 'Less':
      case 'GreaterEqual':
      case 'LessEqual':
        b.op(
          node.op === 'GreaterEqual' ? 'GreaterOrEqual' : node.op === 'LessEqual' ? 'LessOrEqual' : node.op,
          [x(), tensor(node.inputs[1]!)],
          {},
          setOut(node, 'bool'),
        );
        break;
      case 'TopKV2': {
        const k = constOf(node, 1).data[0]!;
        if (node.attr.sorted?.b === false) throw new ConversionError(`node '${node.name}': unsorted TopKV2 is not supported`);
        const values = setOut(node, T(), 0);
        const indices64 = b.unique(`${node.name}/indices64`);
        b.node('TopK', [x(), b.int64('k', [k])], [values, indices64], { axis: -1, largest: 1, sorted: 1 });
        b.op('Cast', [indices64], { to: OnnxType.INT32 }, setOut(node, 'int32', 1));
        break;
      }
      case 'GatherV2': {
        const axis = constOf(node, 2).data[0]!;
        if (Number(node.attr.batch_dims?.i ?? 0) !== 0) throw new ConversionError(`node '${node.name}': GatherV2 with batch_dims is not supported`);
        b.op('Gather', [x(), tensor(node.inputs[1]!)], { axis }, setOut(node, tfType(node, 'Tparams')));
        break;
      }
      case 'StridedSlice': {
        const begin = nums(constOf(node, 1));
        const end = nums(constOf(node, 2));
        const steps = nums(constOf(node, 3));
        const mask = (k: string) => Number(node.attr[k]?.i ?? 0);
        if (mask('ellipsis_mask') || mask('new_axis_mask'))
          throw new ConversionError(`node '${node.name}': StridedSlice with ellipsis or new-axis masks is not supported`);
        const big = 2 ** 31 - 1;
        const starts = begin.map((v, i) => (mask('begin_mask') & (1 << i) ? (steps[i]! > 0 ? 0 : big) : v));
        const ends = end.map((v, i) => (mask('end_mask') & (1 << i) ? (steps[i]! > 0 ? big : -big) : v));
        const shrink = mask('shrink_axis_mask');
        const shrinkAxes = begin.map((_, i) => i).filter((i) => shrink & (1 << i));
        for (const i of shrinkAxes) ends[i] = begin[i]! + 1 === 0 ? big : begin[i]! + 1;
        const axes = begin.map((_, i) => i);
        const out = setOut(node, T());
        const sliced = b.op(
          'Slice',
          [x(), b.int64('starts', starts), b.int64('ends', ends), b.int64('axes', axes), b.int64('steps', steps)],
          {},
          shrinkAxes.length ? undefined : out,
        );
        if (shrinkAxes.length) b.op('Squeeze', [sliced, b.int64('axes', shrinkAxes)], {}, out);
        break;
      }
      default:
        throw new ConversionError(`${model.source}: node '${node.name}' uses op '${node.op}', which the TF.js → ONNX converter does not support yet`);
    }
  }

  b.inputs.push({ name: inputName, type: OnnxType.FLOAT, shape: inputShape });
  const converted = outputRefs.map((r) => {
    const c = consts.get(r);
    if (c) throw new ConversionError(`output '${r}' is a constant; nothing to convert`);
    return tensor(r.replace(/:0$/, ''));
  });
  const finals = options.appendLayout
    ? options.appendLayout(b, converted)
    : converted.map((name, i) => ({ name, shape: model.outputs.find((o) => o.name === outputRefs[i])?.shape ?? [] }));
  const outputs = finals.map((f) => ({ name: f.name, shape: batchDim(f.shape) }));
  for (const f of outputs) b.outputs.push({ name: f.name, type: OnnxType.FLOAT, shape: f.shape });
  const meta = { producer: options.producer ?? 'vigil tfjs-to-onnx', docString: options.docString, metadata: options.metadata };
  const onnx = b.serialize(meta);
  const nodeCount = b.nodes.length;
  const onnxFloat16 = options.float16 ? (convertToFloat16(b), b.serialize({ ...meta, metadata: { ...meta.metadata, precision: 'fp16' } })) : undefined;
  return { onnx, ...(onnxFloat16 ? { onnxFloat16 } : {}), input: { name: inputName, shape: inputShape }, outputs, nodeCount, foldedNodes: folded };
}
