// One axis pass of the mixed-domain step in one dispatch: each workgroup takes LINE_TILE lines
// of axis AXIS into workgroup memory and runs the four 1D transforms of each line there
// (stockham_tile.wgsl), with the point-wise updates between them:
//   g     = F_i^-1{gradient_i kappa F{p}}           (1/n_i in the factor)
//   u_i   = pml_sg (pml_sg u_i - dt/rho0 g)
//   w     = divergence_i kappa F_i{u_i}              (F{div u} (+)= n_i w when absorbing)
//   rho_i = pml (pml rho_i - dt rho0 F_i^-1{w})      (+ F_i^-1{F{S}} / n_i with a source)
//   next F{p} (+)= c0^2 F_i{rho_i}                   (the x pass sets, y and z add)
// The initial pass sets u_i = dt / (2 rho0) g and rho_i = F_i^-1{F{p0}} / (ndim c0^2 n_i).
//
// kernels/src/wgpu/mixed/kernels.rs prepends the constants of stockham_tile.wgsl and AXIS,
// ABSORBING.
//
// Lines: x pass, line g = (kz < nzh, ky) is a whole line of nx, built from the half spectrum's
// row (ky, kz) and the conjugate of row (-ky, -kz), and written back to both (the partner
// only when plane kz is not its own conjugate); the tile's lines are consecutive in memory,
// loaded with positions fastest. y and z passes: a workgroup takes LINE_TILE adjacent kx
// columns at one kz (y) or ky (z), loaded with kx fastest, so every load is coalesced.

@group(0) @binding(3) var<storage, read_write> work: array<vec2<f32>>;

const TILE_ELEMENTS: u32 = LINE_LENGTH * LINE_TILE;

var<workgroup> tile: array<vec2<f32>, TILE_ELEMENTS>;

var<private> direction: f32;

fn fft_direction() -> f32 {
    return direction;
}

fn twiddle(at: u32) -> vec2<f32> {
    return table_complex(params.twiddles + 2u * at);
}

// Tile element `t` (in load order) of the workgroup's lines.
struct Element {
    // Slot in `tile`, and position along the line.
    slot: u32,
    position: u32,
    // Index in this axis' u_i and rho_i (from params.field).
    field: u32,
    // Wavenumber indices (kx over the whole line in the x pass).
    k: vec3<u32>,
    // y, z passes: the value's index in the half spectrum. x pass: the start of its row.
    spectrum: u32,
    // x pass: the start of the partner row (-ky, -kz), and whether plane kz is its own
    // conjugate (the partner row is then written by its own line).
    partner: u32,
    self_conjugate: bool,
    valid: bool,
}

fn element(tile_index: u32, t: u32) -> Element {
    let nx = params.nx;
    let ny = params.ny;
    let nz = params.nz;
    let nxh = params.nxh;
    var e: Element;
    if (AXIS == 0u) {
        let l = t / LINE_LENGTH;
        let p = t % LINE_LENGTH;
        let line = tile_index * LINE_TILE + l;
        let kz = line / ny;
        let ky = line % ny;
        e.slot = p * LINE_TILE + l;
        e.position = p;
        e.field = line * nx + p;
        e.k = vec3<u32>(p, ky, kz);
        e.spectrum = (kz * ny + ky) * nxh;
        e.partner = (((nz - kz) % nz) * ny + (ny - ky) % ny) * nxh;
        e.self_conjugate = kz == 0u || 2u * kz == nz;
        e.valid = kz < nz / 2u + 1u;
    } else {
        let l = t % LINE_TILE;
        let p = t / LINE_TILE;
        let outer = tile_index / params.tiles_per_row;
        let kx = (tile_index % params.tiles_per_row) * LINE_TILE + l;
        e.slot = p * LINE_TILE + l;
        e.position = p;
        if (AXIS == 1u) {
            e.spectrum = (outer * ny + p) * nxh + kx;
            e.k = vec3<u32>(kx, p, outer);
        } else {
            e.spectrum = (p * ny + outer) * nxh + kx;
            e.k = vec3<u32>(kx, outer, p);
        }
        e.field = e.spectrum;
        e.partner = 0u;
        e.self_conjugate = true;
        e.valid = kx < nxh;
    }
    // A 2D dispatch grid may run past the last tile (params.count tiles).
    e.valid = e.valid && tile_index < params.count;
    return e;
}

// Value `e` of the whole line of a half spectrum at `base` in `spectra`.
fn spectrum_value(base: u32, e: Element) -> vec2<f32> {
    if (AXIS != 0u) {
        return spectra[base + e.spectrum];
    }
    if (e.position < params.nxh) {
        return spectra[base + e.spectrum + e.position];
    }
    return conj(spectra[base + e.partner + params.nx - e.position]);
}

// As `spectrum_value`, from F{S} in `work`.
fn source_value(e: Element) -> vec2<f32> {
    if (AXIS != 0u) {
        return work[e.spectrum];
    }
    if (e.position < params.nxh) {
        return work[e.spectrum + e.position];
    }
    return conj(work[e.partner + params.nx - e.position]);
}

// Where value `e` of a whole x line goes in a half spectrum: its own row (kx < nxh), and
// conjugated into the partner row (at kx = 0 and at nx - kx for the second half).
fn writes_own(e: Element) -> bool {
    return e.position < params.nxh;
}

fn writes_partner(e: Element) -> bool {
    return !e.self_conjugate && (e.position == 0u || e.position > params.nx - params.nxh);
}

fn partner_index(e: Element) -> u32 {
    return e.partner + (params.nx - e.position) % params.nx;
}

// kappa = sinc(c_ref dt |k| / 2), from the squared wavenumbers of each axis.
fn kappa(e: Element) -> f32 {
    let w = params.wavenumbers;
    let k2 = tables[w + e.k.x] + tables[w + params.nx + e.k.y]
        + tables[w + params.nx + params.ny + e.k.z];
    let half_angle = params.half_c_ref_dt * sqrt(k2);
    if (half_angle == 0.0) {
        return 1.0;
    }
    return sin(half_angle) / half_angle;
}

fn transform(thread: u32, dir: f32) {
    workgroupBarrier();
    direction = dir;
    stockham_tile(thread, 0u);
}

@compute @workgroup_size(WORKGROUP_THREADS)
fn axis_pass(
    @builtin(local_invocation_index) thread: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let tile_index = group.x + group.y * params.groups_per_row;
    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(tile_index, t);
        var v = vec2<f32>(0.0);
        if (e.valid) {
            let factor = table_complex(params.gradient + 2u * e.position);
            v = cmul(spectrum_value(params.current, e) * kappa(e), factor);
        }
        tile[e.slot] = v;
    }
    transform(thread, -1.0);

    if (params.mode == 0u) {
        let half_dt_over_rho = 0.5 * params.dt_over_rho;
        for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
            let e = element(tile_index, t);
            if (e.valid) {
                velocity[params.field + e.field] = tile[e.slot] * half_dt_over_rho;
            }
        }
        workgroupBarrier();
        for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
            let e = element(tile_index, t);
            var v = vec2<f32>(0.0);
            if (e.valid) {
                v = spectrum_value(params.current, e);
            }
            tile[e.slot] = v;
        }
        transform(thread, -1.0);
        for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
            let e = element(tile_index, t);
            if (e.valid) {
                density[params.field + e.field] = tile[e.slot] * params.initial_density;
            }
        }
        return;
    }

    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(tile_index, t);
        var u = vec2<f32>(0.0);
        if (e.valid) {
            let p = tables[params.pml_staggered + e.position];
            let at = params.field + e.field;
            u = (velocity[at] * p - tile[e.slot] * params.dt_over_rho) * p;
            velocity[at] = u;
        }
        tile[e.slot] = u;
    }
    transform(thread, 1.0);

    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(tile_index, t);
        var w = vec2<f32>(0.0);
        if (e.valid) {
            let factor = table_complex(params.divergence + 2u * e.position);
            w = cmul(tile[e.slot] * kappa(e), factor);
            if (ABSORBING) {
                let d = w * params.axis_points;
                if (AXIS == 0u) {
                    if (writes_own(e)) {
                        divergence[e.spectrum + e.position] = d;
                    }
                    if (writes_partner(e)) {
                        divergence[partner_index(e)] = conj(d);
                    }
                } else {
                    divergence[e.spectrum] += d;
                }
            }
        }
        tile[e.slot] = w;
    }
    transform(thread, -1.0);

    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(tile_index, t);
        var rho = vec2<f32>(0.0);
        if (e.valid) {
            let p = tables[params.pml + e.position];
            let at = params.field + e.field;
            rho = (density[at] * p - tile[e.slot] * params.dt_rho0) * p;
            density[at] = rho;
        }
        tile[e.slot] = rho;
    }

    if (params.mode == 2u) {
        // rho_i is in `density` (each invocation reads back what it wrote): the tile takes
        // the source's line.
        workgroupBarrier();
        for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
            let e = element(tile_index, t);
            var s = vec2<f32>(0.0);
            if (e.valid) {
                s = source_value(e);
            }
            tile[e.slot] = s;
        }
        transform(thread, -1.0);
        for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
            let e = element(tile_index, t);
            var rho = vec2<f32>(0.0);
            if (e.valid) {
                let at = params.field + e.field;
                rho = density[at] + tile[e.slot] * params.inverse_scale;
                density[at] = rho;
            }
            tile[e.slot] = rho;
        }
    }
    transform(thread, 1.0);

    for (var t = thread; t < TILE_ELEMENTS; t += WORKGROUP_THREADS) {
        let e = element(tile_index, t);
        if (e.valid) {
            let v = tile[e.slot] * params.c0_squared;
            if (AXIS == 0u) {
                if (writes_own(e)) {
                    spectra[params.next + e.spectrum + e.position] = v;
                }
                if (writes_partner(e)) {
                    spectra[params.next + partner_index(e)] = conj(v);
                }
            } else {
                spectra[params.next + e.spectrum] += v;
            }
        }
    }
}
