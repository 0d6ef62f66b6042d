use ferrowave_solvers::acoustic::*;

fn read_f32(f: &hdf5::File, name: &str) -> Vec<f32> {
    f.dataset(name).unwrap().read_raw::<f32>().unwrap()
}
fn read_u64(f: &hdf5::File, name: &str) -> Vec<u64> {
    f.dataset(name).unwrap().read_raw::<u64>().unwrap()
}

#[test]
fn homogeneous_3d_quick() {
    let dir = "/work/shared/reference/kwave/homogeneous_3d";
    let fi = hdf5::File::open(format!("{dir}/homogeneous_3d_input.h5")).unwrap();
    let fo = hdf5::File::open(format!("{dir}/homogeneous_3d_output.h5")).unwrap();
    let n = [
        read_u64(&fi, "Nx")[0] as usize,
        read_u64(&fi, "Ny")[0] as usize,
        read_u64(&fi, "Nz")[0] as usize,
    ];
    let d = [
        read_f32(&fi, "dx")[0] as f64,
        read_f32(&fi, "dy")[0] as f64,
        read_f32(&fi, "dz")[0] as f64,
    ];
    let dt = read_f32(&fi, "dt")[0] as f64;
    let nt = read_u64(&fi, "Nt")[0] as usize;
    let sim = Simulation {
        grid: Grid::new(&n, &d).unwrap(),
        medium: Medium {
            sound_speed: Property::Uniform(read_f32(&fi, "c0")[0] as f64),
            density: Property::Uniform(read_f32(&fi, "rho0")[0] as f64),
            density_staggered: None,
            absorption: None,
            nonlinearity: None,
        },
        pml: Pml {
            size: [10; 3],
            alpha: [2.0; 3],
            inside: true,
        },
        time: TimeSpec {
            dt_s: Some(dt),
            steps: Some(nt),
            ..Default::default()
        },
        sources: Sources {
            initial_pressure: Some(read_f32(&fi, "p0_source_input")),
            ..Default::default()
        },
        sensor: Sensor {
            points: read_u64(&fi, "sensor_mask_index")
                .iter()
                .map(|&i| i as usize - 1)
                .collect(),
            record: Record {
                p: true,
                p_final: true,
                ..Default::default()
            },
            record_start_step: 0,
        },
        c_ref_m_s: Some(read_f32(&fi, "c_ref")[0] as f64),
    };
    let plan = Plan::new(&sim, 2).unwrap();
    let (data, _) = plan.run(&mut ()).unwrap();
    let p = data.p.unwrap(); // (sensors, nt)
    let reference = read_f32(&fo, "p"); // (1, nt, n) -> [t][j]
    let ns = p.shape()[0];
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for t in 0..nt {
        for j in 0..ns {
            let r = reference[t * ns + j] as f64;
            num += (p[[j, t]] as f64 - r).powi(2);
            den += r * r;
        }
    }
    let err = (num / den).sqrt();
    println!("p rel L2 = {err:e}");
    let pf = data.p_final.unwrap();
    let rf = read_f32(&fo, "p_final");
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for z in 0..n[2] {
        for y in 0..n[1] {
            for x in 0..n[0] {
                let r = rf[x + n[0] * (y + n[1] * z)] as f64;
                num += (pf[[x, y, z]] as f64 - r).powi(2);
                den += r * r;
            }
        }
    }
    println!("p_final rel L2 = {:e}", (num / den).sqrt());
    assert!(err < 1e-4);
}
