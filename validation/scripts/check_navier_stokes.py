"""Independent check of a navier-stokes dataset file written with S = R: restart sample 0
from its stored initial vorticity with the stored dt, integrate to t = 1 with FNO's scheme
(ns_2d.py: Crank-Nicolson diffusion, explicit advection, 2/3 dealiasing) written here in
numpy, and print the relative L2 difference from the stored t = 1 field.

    ferrowave generate navier-stokes --samples 1 --resolution 64 --solve-resolution 64 \
        --final-time 1 --seed 7 -o ns.h5
    python3 validation/scripts/check_navier_stokes.py ns.h5
"""
import sys
import h5py, numpy as np
f = h5py.File(sys.argv[1])
dt = float(f.attrs['dt']); nu = float(f.attrs['viscosity'])
w = f['vorticity'][0, 0].astype(np.float64); target = f['vorticity'][0, 1].astype(np.float64)
s = w.shape[0]
t = np.linspace(0, 1, s + 1)[:-1]
X, Y = np.meshgrid(t, t, indexing='ij')
forcing = 0.1 * (np.sin(2*np.pi*(X+Y)) + np.cos(2*np.pi*(X+Y)))
k = np.fft.fftfreq(s, 1.0/s)
kx = k[:, None] * np.ones((1, s//2+1)); ky = np.ones((s, 1)) * np.arange(s//2+1)[None, :]
lap = 4*np.pi**2*(kx**2 + ky**2); lap[0, 0] = 1.0
dealias = ((np.abs(kx) <= (2/3)*(s//2)) & (np.abs(ky) <= (2/3)*(s//2))).astype(float)
f_h = np.fft.rfft2(forcing); w_h = np.fft.rfft2(w)
steps = int(round(1/dt))
for _ in range(steps):
    psi_h = w_h / lap
    q = np.fft.irfft2(2j*np.pi*ky*psi_h, s=(s, s))
    v = np.fft.irfft2(-2j*np.pi*kx*psi_h, s=(s, s))
    wx = np.fft.irfft2(2j*np.pi*kx*w_h, s=(s, s))
    wy = np.fft.irfft2(2j*np.pi*ky*w_h, s=(s, s))
    F_h = dealias * np.fft.rfft2(q*wx + v*wy)
    w_h = (-dt*F_h + dt*f_h + (1.0 - 0.5*dt*nu*lap)*w_h) / (1.0 + 0.5*dt*nu*lap)
out = np.fft.irfft2(w_h, s=(s, s))
print('dt', dt, 'steps', steps, 'rel L2 at t=1:', np.linalg.norm(out-target)/np.linalg.norm(target))
