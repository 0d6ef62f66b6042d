"""Independent check of a Darcy dataset file written with S = R: re-solve each stored
coefficient with scipy's sparse direct solver (5-point stencil, harmonic-mean face
coefficients, u = 0 on the boundary, f = 1) and print the relative L2 difference from the
stored solution.

    ferrowave generate darcy --samples 2 --resolution 65 --solve-resolution 65 --seed 7 -o d.h5
    python3 validation/scripts/check_darcy.py d.h5
"""
import sys
import h5py, numpy as np, scipy.sparse as sp, scipy.sparse.linalg as spl
f = h5py.File(sys.argv[1])
for n in range(f['coefficient'].shape[0]):
    a = f['coefficient'][n].astype(np.float64); u_stored = f['solution'][n].astype(np.float64)
    S = a.shape[0]; h = 1.0/(S-1); m = S-2
    idx = lambda i, j: (i-1)*m + (j-1)
    rows, cols, vals = [], [], []
    b = np.ones(m*m)
    hm = lambda p, q: 2*p*q/(p+q)
    for i in range(1, S-1):
        for j in range(1, S-1):
            k = idx(i, j); diag = 0.0
            for (p, q) in ((i+1, j), (i-1, j), (i, j+1), (i, j-1)):
                c = hm(a[i, j], a[p, q]) / h**2
                diag += c
                if 1 <= p <= S-2 and 1 <= q <= S-2:
                    rows.append(k); cols.append(idx(p, q)); vals.append(-c)
            rows.append(k); cols.append(k); vals.append(diag)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(m*m, m*m))
    u = spl.spsolve(A.tocsc(), b)
    full = np.zeros((S, S)); full[1:-1, 1:-1] = u.reshape(m, m)
    print(n, 'rel L2', np.linalg.norm(full - u_stored)/np.linalg.norm(full), 'values', np.unique(a))
