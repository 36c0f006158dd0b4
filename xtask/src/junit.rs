//! `cargo xtask junit`: nextest's JUnit report counts a test that skipped at
//! run time as passed, since nextest has no runtime skip. This rewrites
//! such test cases as `<skipped message="reason"/>`, from the records the
//! same run wrote, and fixes the counts.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer, XmlVersion};

use qemu_fixtures::harness::outcome::{read_records, results_root};

use crate::flags::Junit;

impl Junit {
    pub fn run(self) -> anyhow::Result<()> {
        let xml = std::fs::read_to_string(&self.path)
            .with_context(|| format!("reading {}", self.path.display()))?;
        let (rewritten, marked) = mark_skips(&xml, &|run| skip_reasons(run))?;
        std::fs::write(&self.path, rewritten)
            .with_context(|| format!("writing {}", self.path.display()))?;
        println!(
            "{}: {marked} test(s) marked as skipped",
            self.path.display()
        );
        Ok(())
    }
}

/// `(binary id, test name)` → skip reason, for the run `run`.
type Reasons = HashMap<(String, String), String>;

fn skip_reasons(run: &str) -> anyhow::Result<Reasons> {
    let dir = results_root().join(run);
    if !Path::new(&dir).is_dir() {
        return Ok(Reasons::new());
    }
    let mut reasons = Reasons::new();
    for record in read_records(&dir)? {
        if record.verdict == "skip" {
            reasons.insert((record.krate, record.test), record.message);
        }
    }
    Ok(reasons)
}

/// Rewrites the report; returns it and how many test cases became skips.
pub fn mark_skips(
    xml: &str,
    reasons_of_run: &dyn Fn(&str) -> anyhow::Result<Reasons>,
) -> anyhow::Result<(String, usize)> {
    let mut reader = Reader::from_str(xml);
    let mut events: Vec<Event<'static>> = Vec::new();
    loop {
        match reader.read_event()? {
            Event::Eof => break,
            event => events.push(event.into_owned()),
        }
    }
    let run = events
        .iter()
        .find_map(|event| match event {
            Event::Start(start) if start.name().as_ref() == "testsuites" => {
                attribute(start, "uuid")
            }
            _ => None,
        })
        .context("the report names no run (testsuites uuid)")?;
    let reasons = reasons_of_run(&run)?;
    // Which test cases to mark, by index of their start event, and how many
    // per suite.
    let mut marks: HashMap<usize, String> = HashMap::new();
    let mut per_suite: HashMap<usize, usize> = HashMap::new();
    let mut suite = None;
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(start) if start.name().as_ref() == "testsuite" => suite = Some(index),
            Event::Start(case) | Event::Empty(case) if case.name().as_ref() == "testcase" => {
                let (Some(name), Some(class)) =
                    (attribute(case, "name"), attribute(case, "classname"))
                else {
                    continue;
                };
                let krate = class.split("::").next().unwrap_or_default().to_owned();
                let Some(reason) = reasons.get(&(krate, name)) else {
                    continue;
                };
                if matches!(event, Event::Start(_)) && has_verdict_child(&events[index + 1..]) {
                    continue;
                }
                marks.insert(index, reason.clone());
                *per_suite.entry(suite.unwrap_or(0)).or_default() += 1;
            }
            _ => {}
        }
    }
    let total: usize = per_suite.values().sum();
    let mut writer = Writer::new(Vec::new());
    for (index, event) in events.into_iter().enumerate() {
        match event {
            Event::Start(start) if start.name().as_ref() == "testsuites" => {
                writer.write_event(Event::Start(add_to(&start, "skipped", total)?))?;
            }
            Event::Start(start) if start.name().as_ref() == "testsuite" => {
                let added = per_suite.get(&index).copied().unwrap_or(0);
                writer.write_event(Event::Start(add_to(&start, "skipped", added)?))?;
            }
            Event::Empty(case) if marks.contains_key(&index) => {
                writer.write_event(Event::Start(case.clone()))?;
                write_skipped(&mut writer, &marks[&index])?;
                writer.write_event(Event::End(case.to_end().into_owned()))?;
            }
            Event::Start(case) if marks.contains_key(&index) => {
                writer.write_event(Event::Start(case.clone()))?;
                write_skipped(&mut writer, &marks[&index])?;
            }
            event => writer.write_event(event)?,
        }
    }
    Ok((String::from_utf8(writer.into_inner())?, total))
}

fn write_skipped(writer: &mut Writer<Vec<u8>>, reason: &str) -> anyhow::Result<()> {
    let mut skipped = BytesStart::new("skipped");
    skipped.push_attribute(("message", reason));
    writer.write_event(Event::Empty(skipped))?;
    Ok(())
}

/// Whether a test case already says failure, error or skipped.
fn has_verdict_child(rest: &[Event<'static>]) -> bool {
    for event in rest {
        match event {
            Event::End(end) if end.name().as_ref() == "testcase" => return false,
            Event::Start(child) | Event::Empty(child)
                if matches!(
                    child.name().as_ref(),
                    "failure" | "error" | "skipped" | "flakyFailure" | "rerunFailure"
                ) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

fn attribute(element: &BytesStart, name: &str) -> Option<String> {
    element
        .try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|attr| {
            attr.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|value| value.into_owned())
        })
}

/// The element with `name` (a count) increased by `added`.
fn add_to(element: &BytesStart, name: &str, added: usize) -> anyhow::Result<BytesStart<'static>> {
    let mut out = BytesStart::new(element.name().as_ref().to_owned());
    let mut found = false;
    for attr in element.attributes() {
        let attr = attr?;
        let key = attr.key.as_ref().to_owned();
        let value = attr.normalized_value(XmlVersion::Implicit1_0)?.into_owned();
        if key == name {
            found = true;
            let count: usize = value.parse().with_context(|| format!("{name}={value:?}"))?;
            out.push_attribute((key.as_str(), (count + added).to_string().as_str()));
        } else {
            out.push_attribute((key.as_str(), value.as_str()));
        }
    }
    if !found && added > 0 {
        out.push_attribute((name, added.to_string().as_str()));
    }
    if added > 0 && !found && name != "skipped" {
        bail!("no {name} count to update");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="3" skipped="0" failures="1" errors="0" uuid="run-1">
    <testsuite name="arch-arm::functional" tests="3" skipped="0" errors="0" failures="1">
        <testcase name="canon_a1100::boots_barebox" classname="arch-arm::functional" time="0.010"/>
        <testcase name="uboot::answers_version_at_its_prompt" classname="arch-arm::functional" time="0.900"/>
        <testcase name="version::query_version_matches_cli" classname="arch-arm::functional" time="0.100">
            <failure type="test failure">boom</failure>
        </testcase>
    </testsuite>
</testsuites>
"#;

    fn reasons(run: &str) -> anyhow::Result<Reasons> {
        assert_eq!(run, "run-1");
        let mut reasons = Reasons::new();
        reasons.insert(
            ("arch-arm".into(), "canon_a1100::boots_barebox".into()),
            "download failed: <url>: connection refused".into(),
        );
        // A failure stays a failure even if a record says skip.
        reasons.insert(
            (
                "arch-arm".into(),
                "version::query_version_matches_cli".into(),
            ),
            "not this".into(),
        );
        Ok(reasons)
    }

    #[test]
    fn runtime_skips_become_skipped_and_counts_follow() {
        let (xml, marked) = mark_skips(REPORT, &reasons).unwrap();
        assert_eq!(marked, 1);
        let mut reader = Reader::from_str(&xml);
        let mut skipped_cases = Vec::new();
        let mut current = String::new();
        let mut suite_skipped = None;
        loop {
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::Start(e) if e.name().as_ref() == "testsuite" => {
                    suite_skipped = attribute(&e, "skipped");
                }
                Event::Start(e) if e.name().as_ref() == "testcase" => {
                    current = attribute(&e, "name").unwrap();
                }
                Event::Empty(e) if e.name().as_ref() == "skipped" => {
                    skipped_cases.push((current.clone(), attribute(&e, "message").unwrap()));
                }
                _ => {}
            }
        }
        assert_eq!(
            skipped_cases,
            [(
                "canon_a1100::boots_barebox".to_owned(),
                "download failed: <url>: connection refused".to_owned()
            )]
        );
        assert_eq!(suite_skipped.as_deref(), Some("1"));
    }
}
