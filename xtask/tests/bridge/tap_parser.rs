//! A TAP version 13 parser: the plan, each test point with its directive,
//! and the YAML block after a point.

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub ok: bool,
    pub number: usize,
    pub name: String,
    /// `# SKIP <reason>`.
    pub skip: Option<String>,
    /// The lines of its YAML block, without the indentation.
    pub yaml: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub version: Option<u32>,
    pub plan: Option<usize>,
    pub points: Vec<Point>,
}

pub fn parse(text: &str) -> Result<Report, String> {
    let mut report = Report::default();
    let mut in_yaml = false;
    for line in text.lines() {
        if in_yaml {
            match line.trim() {
                "..." => in_yaml = false,
                yaml => report
                    .points
                    .last_mut()
                    .ok_or("YAML before a point")?
                    .yaml
                    .push(yaml.to_owned()),
            }
            continue;
        }
        if let Some(version) = line.strip_prefix("TAP version ") {
            report.version = Some(
                version
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad version line {line:?}"))?,
            );
        } else if let Some(plan) = line.strip_prefix("1..") {
            report.plan = Some(
                plan.trim()
                    .parse()
                    .map_err(|_| format!("bad plan {line:?}"))?,
            );
        } else if line.trim() == "---" {
            in_yaml = true;
        } else if let Some(rest) = line
            .strip_prefix("ok ")
            .map(|rest| (true, rest))
            .or_else(|| line.strip_prefix("not ok ").map(|rest| (false, rest)))
        {
            let (ok, rest) = rest;
            let (number, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let rest = rest.strip_prefix("- ").unwrap_or(rest);
            let (name, directive) = match rest.split_once(" # ") {
                Some((name, directive)) => (name, Some(directive)),
                None => (rest, None),
            };
            let skip = directive
                .and_then(|directive| directive.strip_prefix("SKIP"))
                .map(|reason| reason.trim().to_owned());
            report.points.push(Point {
                ok,
                number: number
                    .parse()
                    .map_err(|_| format!("bad test number in {line:?}"))?,
                name: name.trim().to_owned(),
                skip,
                yaml: Vec::new(),
            });
        } else if line.starts_with('#') || line.trim().is_empty() {
        } else {
            return Err(format!("not TAP: {line:?}"));
        }
    }
    Ok(report)
}
