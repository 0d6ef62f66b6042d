//! `ferrowave check SCENE.toml`: validate a scene and its plan, print what a run would do.

use std::path::Path;

use ferrowave_kernels::DeviceKind;
use ferrowave_scenes::load_scene;
use ferrowave_solvers::acoustic::{Plan, PlanSummary};

use crate::failure::Failure;
use crate::format::{num, shape};
use crate::report::{self, line};
use crate::run::output_path;

/// Thickness and absorption of the PML, and where it sits.
pub fn pml(summary: &PlanSummary) -> String {
    let alpha = if summary.pml_alpha.windows(2).all(|w| w[0] == w[1]) {
        num(summary.pml_alpha[0])
    } else {
        summary
            .pml_alpha
            .iter()
            .map(|&a| num(a))
            .collect::<Vec<_>>()
            .join(" x ")
    };
    let place = if summary.pml_inside {
        let interior: Vec<usize> = summary
            .shape
            .iter()
            .zip(&summary.pml_size)
            .map(|(&n, &s)| n - 2 * s)
            .collect();
        format!("inside the grid (interior {} points)", shape(&interior))
    } else {
        "outside the grid (added around it)".to_string()
    };
    format!(
        "{} points each side, alpha {alpha} Np/point, {place}",
        shape(&summary.pml_size)
    )
}

pub fn check(path: &Path, threads: usize, device: DeviceKind) -> Result<(), Failure> {
    let scene = load_scene(path)?;
    let plan = Plan::new(&scene.simulation, threads)?;
    let s = plan.summary();
    let multi = |label: &str, lines: Vec<String>| {
        for (i, text) in lines.iter().enumerate() {
            println!("{}", line(if i == 0 { label } else { "" }, text));
        }
    };
    println!(
        "{}",
        line(
            "scene",
            format!("{} ({}): valid", scene.name, path.display())
        )
    );
    println!("{}", line("grid", report::grid(s)));
    multi("medium", report::medium(&scene, s));
    println!("{}", line("time", report::time(s)));
    println!(
        "{}",
        line(
            "stability",
            format!("CFL = {} (max c dt / min spacing)", num(s.cfl))
        )
    );
    println!("{}", line("pml", pml(s)));
    multi("sources", report::sources(&scene));
    println!("{}", line("sensors", report::sensors(&scene)));
    println!(
        "{}",
        line("records", report::recorded(&scene.simulation.sensor.record))
    );
    if let Some(ppw) = report::points_per_wavelength(&scene, s) {
        println!("{}", line("sampling", ppw));
    }
    for (label, text) in report::device_memory(&plan, device) {
        println!("{}", line(label, text));
    }
    println!(
        "{}",
        line(
            "output",
            output_path(path, &scene, None).display().to_string()
        )
    );
    Ok(())
}
