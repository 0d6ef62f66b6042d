// The butterflies shared by fft.wgsl and fft_shared.wgsl (fft.rs appends this file to both):
// hard-coded DFTs of radix 2, 3, 4, 5, 7 and 8 on the first R entries of an 8-vector, in
// the direction `fft_direction()` (+1 forward, -1 inverse) that the shader they join defines.

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// -i*dir*z: the quarter turn of the transform's direction.
fn rot(z: vec2<f32>) -> vec2<f32> {
    return fft_direction() * vec2<f32>(z.y, -z.x);
}

fn dft2(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    var y = a;
    y[0] = a[0] + a[1];
    y[1] = a[0] - a[1];
    return y;
}

fn dft3(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    var y = a;
    let sum = a[1] + a[2];
    let re = a[0] - 0.5 * sum;
    let im = 0.8660254037844386 * rot(a[1] - a[2]);
    y[0] = a[0] + sum;
    y[1] = re + im;
    y[2] = re - im;
    return y;
}

fn dft4(a0: vec2<f32>, a1: vec2<f32>, a2: vec2<f32>, a3: vec2<f32>) -> array<vec2<f32>, 4> {
    let s02 = a0 + a2;
    let d02 = a0 - a2;
    let s13 = a1 + a3;
    let d13 = rot(a1 - a3);
    return array<vec2<f32>, 4>(s02 + s13, d02 + d13, s02 - s13, d02 - d13);
}

fn dft5(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    // cos and sin of 2*pi*m/5 for m = 1, 2.
    let c1 = 0.30901699437494745;
    let c2 = -0.8090169943749475;
    let s1 = 0.9510565162951535;
    let s2 = 0.5877852522924731;
    let u1 = a[1] + a[4];
    let u2 = a[2] + a[3];
    let d1 = rot(a[1] - a[4]);
    let d2 = rot(a[2] - a[3]);
    let re1 = a[0] + c1 * u1 + c2 * u2;
    let im1 = s1 * d1 + s2 * d2;
    let re2 = a[0] + c2 * u1 + c1 * u2;
    let im2 = s2 * d1 - s1 * d2;
    var y = a;
    y[0] = a[0] + u1 + u2;
    y[1] = re1 + im1;
    y[2] = re2 + im2;
    y[3] = re2 - im2;
    y[4] = re1 - im1;
    return y;
}

fn dft7(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    // cos and sin of 2*pi*m/7 for m = 1, 2, 3.
    let c1 = 0.6234898018587336;
    let c2 = -0.22252093395631440;
    let c3 = -0.9009688679024191;
    let s1 = 0.7818314824680298;
    let s2 = 0.9749279121818236;
    let s3 = 0.4338837391175582;
    let u1 = a[1] + a[6];
    let u2 = a[2] + a[5];
    let u3 = a[3] + a[4];
    let d1 = rot(a[1] - a[6]);
    let d2 = rot(a[2] - a[5]);
    let d3 = rot(a[3] - a[4]);
    let re1 = a[0] + c1 * u1 + c2 * u2 + c3 * u3;
    let im1 = s1 * d1 + s2 * d2 + s3 * d3;
    let re2 = a[0] + c2 * u1 + c3 * u2 + c1 * u3;
    let im2 = s2 * d1 - s3 * d2 - s1 * d3;
    let re3 = a[0] + c3 * u1 + c1 * u2 + c2 * u3;
    let im3 = s3 * d1 - s1 * d2 + s2 * d3;
    var y = a;
    y[0] = a[0] + u1 + u2 + u3;
    y[1] = re1 + im1;
    y[2] = re2 + im2;
    y[3] = re3 + im3;
    y[4] = re3 - im3;
    y[5] = re2 - im2;
    y[6] = re1 - im1;
    return y;
}

fn dft8(a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    let even = dft4(a[0], a[2], a[4], a[6]);
    let odd = dft4(a[1], a[3], a[5], a[7]);
    // odd[m] * exp(-2*pi*i*dir*m/8).
    let half_sqrt2 = 0.7071067811865476;
    let o1 = half_sqrt2 * (odd[1] + rot(odd[1]));
    let o2 = rot(odd[2]);
    let o3 = half_sqrt2 * (rot(odd[3]) - odd[3]);
    return array<vec2<f32>, 8>(
        even[0] + odd[0],
        even[1] + o1,
        even[2] + o2,
        even[3] + o3,
        even[0] - odd[0],
        even[1] - o1,
        even[2] - o2,
        even[3] - o3,
    );
}

fn dft(radix: u32, a: array<vec2<f32>, 8>) -> array<vec2<f32>, 8> {
    switch radix {
        case 2u: {
            return dft2(a);
        }
        case 3u: {
            return dft3(a);
        }
        case 4u: {
            let y = dft4(a[0], a[1], a[2], a[3]);
            return array<vec2<f32>, 8>(y[0], y[1], y[2], y[3], a[4], a[5], a[6], a[7]);
        }
        case 5u: {
            return dft5(a);
        }
        case 7u: {
            return dft7(a);
        }
        default: {
            return dft8(a);
        }
    }
}

