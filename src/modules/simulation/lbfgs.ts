/**
 * Limited-memory BFGS (Nocedal 1980; Nocedal & Wright 2006, Algorithm 7.4/7.5) for
 * smooth unconstrained minimisation, with a backtracking Armijo line search. Pure:
 * the caller supplies f(x) and its gradient. Used to fit the simulation's softmax
 * (multinomial logistic regression) to the same objective and the same stopping rule
 * as scikit-learn's `LogisticRegression(solver="lbfgs")`: stop when the largest
 * gradient component is ≤ `gtol` (sklearn's `tol`, 1e-4) or after `maxIter` iterations
 * (sklearn's `max_iter`, 100).
 */

/** f(x); writes ∇f(x) into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max |∇f| ≤ gtol (default 1e-4). */
  gtol?: number;
  /** Iterations (accepted steps) at most (default 100). */
  maxIter?: number;
  /** Correction pairs kept (default 10, as scipy). */
  memory?: number;
  /** Stop when the relative decrease of f in an iteration is below this (default 64 · 2⁻⁵², sklearn's ftol). */
  ftol?: number;
  /** Backtracking halvings per line search at most (default 30). */
  maxLineSearch?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  /** Objective + gradient evaluations. */
  evaluations: number;
  /** Why it stopped. */
  reason: 'gtol' | 'maxIter' | 'ftol' | 'lineSearch';
  /** max |∇f| at the returned point. */
  gradMax: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}

/**
 * Minimise `fg` from `x0` (not modified). The first step is scaled to unit length
 * (as scipy's L-BFGS-B), later ones start at 1 with the usual γ = sᵀy / yᵀy scaling of
 * the initial inverse Hessian; a pair with sᵀy ≤ 1e-10·yᵀy is skipped (keeps H positive definite).
 */
export function lbfgs(fg: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const gtol = opts.gtol ?? 1e-4;
  const maxIter = opts.maxIter ?? 100;
  const m = opts.memory ?? 10;
  const ftol = opts.ftol ?? 64 * Number.EPSILON;
  const maxLs = opts.maxLineSearch ?? 30;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  let xNew = new Float64Array(n), gNew = new Float64Array(n);
  let iterations = 0;
  let reason: LbfgsResult['reason'] = 'maxIter';
  if (!Number.isFinite(f)) throw new RangeError('lbfgs: the objective is not finite at the start');
  while (true) {
    const gmax = maxAbs(g);
    if (gmax <= gtol) {
      reason = 'gtol';
      break;
    }
    if (iterations >= maxIter) {
      reason = 'maxIter';
      break;
    }
    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j]! * dot(S[j]!, d);
      alpha[j] = a;
      const y = Y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= a * y[i]!;
    }
    if (k > 0) {
      const gamma = dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!);
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = rho[j]! * dot(Y[j]!, d);
      const s = S[j]!, a = alpha[j]!;
      for (let i = 0; i < n; i++) d[i]! += (a - b) * s[i]!;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    let step = S.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let fNew = Infinity;
    let accepted = false;
    for (let ls = 0; ls < maxLs; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = fg(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      reason = 'lineSearch';
      break;
    }
    iterations++;
    const s = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y), yy = dot(y, y);
    if (sy > 1e-10 * yy && yy > 0) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fOld = f;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol) {
      reason = maxAbs(g) <= gtol ? 'gtol' : 'ftol';
      break;
    }
  }
  return { x, f, iterations, evaluations, reason, gradMax: maxAbs(g) };
}
