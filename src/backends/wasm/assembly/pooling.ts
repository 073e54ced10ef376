/**
 * Max and average pooling over NHWC data and their gradients, as the JS reference defines them
 * (src/backends/js/pool.ts): windows clipped to the input (SAME padding adds no values), channels
 * innermost, four at a time. Max pooling keeps the first maximum in row-major window order (a
 * later value replaces it only when strictly greater, so a NaN never does); its gradients scatter
 * to, or gather from, that position. Averages are summed and divided in f64, as the reference does,
 * so results equal it exactly. Positions p are flat over (n, oh, ow); the gradient entry points take
 * a range of whole images, which no other range writes into.
 */
import { Window } from "./window";

const MAX_SCATTER = 1;
const MAX_GATHER = 2;
const MAX_TILED = 3;

/**
 * Visits output positions [p0, p1) with each window's first maximum, four channels at a time.
 * MAX_SCATTER: dst[argmax] += src[p]. MAX_GATHER: dst[p] = src[argmax]. MAX_TILED, for windows
 * that tile the input: every pixel of the window written, src[p] + 0 at the argmax (as the
 * scatter's 0 + src[p]: −0 becomes 0) and 0 elsewhere, so dst needs no zeroing first. (Operands
 * indexed by argmax have x's layout, those indexed by p the pooled layout.)
 */
// @ts-ignore: decorator
@inline function maxWindows(mode: i32, g: usize, x: usize, src: usize, dst: usize, p0: i32, p1: i32): void {
  const win = changetype<Window>(g);
  const positions = win.outH * win.outW;
  const pixelBytes = <usize>win.inC << 2;
  const imageBytes = <usize>win.inH * win.inW * pixelBytes;
  const C4 = win.inC & ~3;
  const laneBytes = i32x4(0, 4, 8, 12);
  let n = p0 / positions;
  let oh = (p0 % positions) / win.outW;
  let ow = p0 % win.outW;
  for (let p = p0; p < p1; p++) {
    const top = oh * win.strideH - win.padTop;
    const h0 = max(top, 0), h1 = min(top + win.kH, win.inH);
    const left = ow * win.strideW - win.padLeft;
    const w0 = max(left, 0), w1 = min(left + win.kW, win.inW);
    const image = <usize>n * imageBytes;
    const first = image + (<usize>h0 * win.inW + w0) * pixelBytes;
    const pooled = <usize>p * pixelBytes;
    let cb: usize = 0;
    for (let c = 0; c < C4; c += 4, cb += 16) {
      // Byte offsets (from x) of the maxima so far, per lane; the first window element starts.
      let m = v128.load(x + first + cb);
      let arg = i32x4.add(i32x4.splat(<i32>(first + cb)), laneBytes);
      for (let ih = h0; ih < h1; ih++) {
        let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
        for (let iw = w0; iw < w1; iw++, at += pixelBytes) {
          const v = v128.load(x + at);
          const greater = f32x4.lt(m, v);
          m = v128.bitselect(v, m, greater);
          arg = v128.bitselect(i32x4.add(i32x4.splat(<i32>at), laneBytes), arg, greater);
        }
      }
      if (mode == MAX_TILED) {
        const d = f32x4.add(v128.load(src + pooled + cb), f32x4.splat(0));
        for (let ih = h0; ih < h1; ih++) {
          let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
          for (let iw = w0; iw < w1; iw++, at += pixelBytes) {
            v128.store(dst + at, v128.and(d, i32x4.eq(arg, i32x4.add(i32x4.splat(<i32>at), laneBytes))));
          }
        }
      } else if (mode == MAX_SCATTER) {
        const d = v128.load(src + pooled + cb);
        let a = <usize>i32x4.extract_lane(arg, 0);
        store<f32>(dst + a, load<f32>(dst + a) + f32x4.extract_lane(d, 0));
        a = <usize>i32x4.extract_lane(arg, 1);
        store<f32>(dst + a, load<f32>(dst + a) + f32x4.extract_lane(d, 1));
        a = <usize>i32x4.extract_lane(arg, 2);
        store<f32>(dst + a, load<f32>(dst + a) + f32x4.extract_lane(d, 2));
        a = <usize>i32x4.extract_lane(arg, 3);
        store<f32>(dst + a, load<f32>(dst + a) + f32x4.extract_lane(d, 3));
      } else {
        const o = dst + pooled + cb;
        store<f32>(o, load<f32>(src + <usize>i32x4.extract_lane(arg, 0)));
        store<f32>(o, load<f32>(src + <usize>i32x4.extract_lane(arg, 1)), 4);
        store<f32>(o, load<f32>(src + <usize>i32x4.extract_lane(arg, 2)), 8);
        store<f32>(o, load<f32>(src + <usize>i32x4.extract_lane(arg, 3)), 12);
      }
    }
    for (let c = C4; c < win.inC; c++, cb += 4) {
      let m = load<f32>(x + first + cb);
      let arg = first + cb;
      for (let ih = h0; ih < h1; ih++) {
        let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
        for (let iw = w0; iw < w1; iw++, at += pixelBytes) {
          const v = load<f32>(x + at);
          if (m < v) {
            m = v;
            arg = at;
          }
        }
      }
      if (mode == MAX_TILED) {
        const d = load<f32>(src + pooled + cb) + 0;
        for (let ih = h0; ih < h1; ih++) {
          let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
          for (let iw = w0; iw < w1; iw++, at += pixelBytes) store<f32>(dst + at, at == arg ? d : 0);
        }
      } else if (mode == MAX_SCATTER) store<f32>(dst + arg, load<f32>(dst + arg) + load<f32>(src + pooled + cb));
      else store<f32>(dst + pooled + cb, load<f32>(src + arg));
    }
    if (++ow == win.outW) {
      ow = 0;
      if (++oh == win.outH) {
        oh = 0;
        n++;
      }
    }
  }
}

// @ts-ignore: decorator
@inline function positionsPerImage(g: usize): i32 {
  const win = changetype<Window>(g);
  return win.outH * win.outW;
}

// @ts-ignore: decorator
@inline function zeroImages(g: usize, dst: usize, n0: i32, n1: i32): void {
  const win = changetype<Window>(g);
  const imageBytes = <usize>win.inH * win.inW * win.inC << 2;
  memory.fill(dst + <usize>n0 * imageBytes, 0, <usize>(n1 - n0) * imageBytes);
}

/**
 * MaxPool over output positions [p0, p1), four channels at a time: each output starts as its
 * window's first pixel and takes pmax with the others in row-major window order, `m < v ? v : m`
 * (the first-maximum rule) in one instruction, the running maximum kept in a register and stored
 * once (not copied into the output first and read back and rewritten per window pixel).
 */
export function maxPool(g: usize, x: usize, out: usize, p0: i32, p1: i32): void {
  const win = changetype<Window>(g);
  const positions = win.outH * win.outW;
  const pixelBytes = <usize>win.inC << 2;
  const rowBytes = <usize>win.inW * pixelBytes;
  const imageBytes = <usize>win.inH * rowBytes;
  const c4Bytes = <usize>(win.inC & ~3) << 2;
  let n = p0 / positions;
  let oh = (p0 % positions) / win.outW;
  let ow = p0 % win.outW;
  for (let p = p0; p < p1; p++) {
    const top = oh * win.strideH - win.padTop;
    const h0 = max(top, 0), h1 = min(top + win.kH, win.inH);
    const left = ow * win.strideW - win.padLeft;
    const w0 = max(left, 0), w1 = min(left + win.kW, win.inW);
    // The window's first pixel, the bytes of one of its rows (rows are rowBytes apart), and the
    // start of the row after its last.
    const first = x + <usize>n * imageBytes + <usize>h0 * rowBytes + <usize>w0 * pixelBytes;
    const span = <usize>(w1 - w0) * pixelBytes;
    const last = first + <usize>(h1 - h0) * rowBytes;
    const o = out + <usize>p * pixelBytes;
    let cb: usize = 0;
    // Eight channels at a time: two independent chains of pmax (each waits on the one before).
    for (; cb + 32 <= c4Bytes; cb += 32) {
      let m = v128.load(first + cb);
      let m2 = v128.load(first + cb, 16);
      for (let at = first + pixelBytes; at < first + span; at += pixelBytes) {
        m = f32x4.pmax(m, v128.load(at + cb));
        m2 = f32x4.pmax(m2, v128.load(at + cb, 16));
      }
      for (let row = first + rowBytes; row < last; row += rowBytes) {
        for (let at = row; at < row + span; at += pixelBytes) {
          m = f32x4.pmax(m, v128.load(at + cb));
          m2 = f32x4.pmax(m2, v128.load(at + cb, 16));
        }
      }
      v128.store(o + cb, m);
      v128.store(o + cb, m2, 16);
    }
    for (; cb < c4Bytes; cb += 16) {
      let m = v128.load(first + cb);
      for (let at = first + pixelBytes; at < first + span; at += pixelBytes) m = f32x4.pmax(m, v128.load(at + cb));
      for (let row = first + rowBytes; row < last; row += rowBytes) {
        for (let at = row; at < row + span; at += pixelBytes) m = f32x4.pmax(m, v128.load(at + cb));
      }
      v128.store(o + cb, m);
    }
    for (; cb < pixelBytes; cb += 4) {
      let m = load<f32>(first + cb);
      for (let at = first + pixelBytes; at < first + span; at += pixelBytes) {
        const v = load<f32>(at + cb);
        if (m < v) m = v;
      }
      for (let row = first + rowBytes; row < last; row += rowBytes) {
        for (let at = row; at < row + span; at += pixelBytes) {
          const v = load<f32>(at + cb);
          if (m < v) m = v;
        }
      }
      store<f32>(o + cb, m);
    }
    if (++ow == win.outW) {
      ow = 0;
      if (++oh == win.outH) {
        oh = 0;
        n++;
      }
    }
  }
}

/** MaxPoolGrad for images [n0, n1): dx zeroed, then dy added at each window's maximum. */
export function maxPoolGrad(g: usize, x: usize, dy: usize, dx: usize, n0: i32, n1: i32): void {
  const positions = positionsPerImage(g);
  if (tiles(g)) {
    maxWindows(MAX_TILED, g, x, dy, dx, n0 * positions, n1 * positions);
    return;
  }
  zeroImages(g, dx, n0, n1);
  maxWindows(MAX_SCATTER, g, x, dy, dx, n0 * positions, n1 * positions);
}

/** Windows that tile the input exactly (stride = window, no padding, nothing left over): each pixel is in one window. */
// @ts-ignore: decorator
@inline function tiles(g: usize): bool {
  const win = changetype<Window>(g);
  return win.strideH == win.kH && win.strideW == win.kW && win.padTop == 0 && win.padLeft == 0 &&
    win.outH * win.kH == win.inH && win.outW * win.kW == win.inW;
}

/** MaxPoolGradGrad over output positions [p0, p1): grad gathered from each window's maximum. */
export function maxPoolGradGrad(g: usize, x: usize, grad: usize, out: usize, p0: i32, p1: i32): void {
  maxWindows(MAX_GATHER, g, x, grad, out, p0, p1);
}

/** AvgPool over output positions [p0, p1): window sums in f64, divided by the window's size. */
export function avgPool(g: usize, x: usize, out: usize, p0: i32, p1: i32): void {
  const win = changetype<Window>(g);
  const positions = win.outH * win.outW;
  const pixelBytes = <usize>win.inC << 2;
  const imageBytes = <usize>win.inH * win.inW * pixelBytes;
  const C4 = win.inC & ~3;
  let n = p0 / positions;
  let oh = (p0 % positions) / win.outW;
  let ow = p0 % win.outW;
  for (let p = p0; p < p1; p++) {
    const top = oh * win.strideH - win.padTop;
    const h0 = max(top, 0), h1 = min(top + win.kH, win.inH);
    const left = ow * win.strideW - win.padLeft;
    const w0 = max(left, 0), w1 = min(left + win.kW, win.inW);
    const count = <f64>((h1 - h0) * (w1 - w0));
    const countV = f64x2.splat(count);
    const image = x + <usize>n * imageBytes;
    const o = out + <usize>p * pixelBytes;
    let cb: usize = 0;
    for (let c = 0; c < C4; c += 4, cb += 16) {
      let lo = f64x2.splat(0), hi = f64x2.splat(0);
      for (let ih = h0; ih < h1; ih++) {
        let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
        for (let iw = w0; iw < w1; iw++, at += pixelBytes) {
          const v = v128.load(at);
          lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
          hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
        }
      }
      const a = f32x4.demote_f64x2_zero(f64x2.div(lo, countV));
      const b = f32x4.demote_f64x2_zero(f64x2.div(hi, countV));
      v128.store(o + cb, i32x4.shuffle(a, b, 0, 1, 4, 5));
    }
    for (let c = C4; c < win.inC; c++, cb += 4) {
      let s: f64 = 0;
      for (let ih = h0; ih < h1; ih++) {
        let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
        for (let iw = w0; iw < w1; iw++, at += pixelBytes) s += <f64>load<f32>(at);
      }
      store<f32>(o + cb, <f32>(s / count));
    }
    if (++ow == win.outW) {
      ow = 0;
      if (++oh == win.outH) {
        oh = 0;
        n++;
      }
    }
  }
}

/** AvgPoolGrad for images [n0, n1): dx zeroed, then each dy/count added over its window (in f64, rounded per add). */
export function avgPoolGrad(g: usize, dy: usize, dx: usize, n0: i32, n1: i32): void {
  const win = changetype<Window>(g);
  zeroImages(g, dx, n0, n1);
  const positions = win.outH * win.outW;
  const pixelBytes = <usize>win.inC << 2;
  const imageBytes = <usize>win.inH * win.inW * pixelBytes;
  const C4 = win.inC & ~3;
  for (let n = n0; n < n1; n++) {
    const image = dx + <usize>n * imageBytes;
    for (let oh = 0; oh < win.outH; oh++) {
      const top = oh * win.strideH - win.padTop;
      const h0 = max(top, 0), h1 = min(top + win.kH, win.inH);
      for (let ow = 0; ow < win.outW; ow++) {
        const left = ow * win.strideW - win.padLeft;
        const w0 = max(left, 0), w1 = min(left + win.kW, win.inW);
        const count = <f64>((h1 - h0) * (w1 - w0));
        const countV = f64x2.splat(count);
        const d = dy + (<usize>(n * positions + oh * win.outW + ow) * pixelBytes);
        let cb: usize = 0;
        for (let c = 0; c < C4; c += 4, cb += 16) {
          const dv = v128.load(d + cb);
          const lo = f64x2.div(f64x2.promote_low_f32x4(dv), countV);
          const hi = f64x2.div(f64x2.promote_low_f32x4(i32x4.shuffle(dv, dv, 2, 3, 0, 1)), countV);
          for (let ih = h0; ih < h1; ih++) {
            let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
            for (let iw = w0; iw < w1; iw++, at += pixelBytes) {
              const v = v128.load(at);
              const a = f32x4.demote_f64x2_zero(f64x2.add(f64x2.promote_low_f32x4(v), lo));
              const b = f32x4.demote_f64x2_zero(f64x2.add(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), hi));
              v128.store(at, i32x4.shuffle(a, b, 0, 1, 4, 5));
            }
          }
        }
        for (let c = C4; c < win.inC; c++, cb += 4) {
          const share = <f64>load<f32>(d + cb) / count;
          for (let ih = h0; ih < h1; ih++) {
            let at = image + (<usize>ih * win.inW + w0) * pixelBytes + cb;
            for (let iw = w0; iw < w1; iw++, at += pixelBytes) store<f32>(at, <f32>(<f64>load<f32>(at) + share));
          }
        }
      }
    }
  }
}
