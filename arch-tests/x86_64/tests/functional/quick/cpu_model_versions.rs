//! Port of QEMU's tests/functional/x86_64/test_cpu_model_versions.py: x86 CPU model versions and aliases, and Cascadelake's arch-capabilities.

use qemu_fixtures::prelude::*;

/// `query-cpu-definitions` as an object keyed by model name.
fn cpu_definitions(vm: &mut Machine) -> Result<Value, TestError> {
    let definitions = vm.cmd("query-cpu-definitions", Value::Null)?;
    let by_name = definitions.as_array().into_iter().flatten();
    Ok(by_name
        .map(|m| (m["name"].as_str().unwrap_or_default().to_owned(), m.clone()))
        .collect())
}

fn validate_aliases(cpus: &Value) -> TestResult {
    for c in cpus.as_object().into_iter().flat_map(|cpus| cpus.values()) {
        let Some(alias_of) = c["alias-of"].as_str() else {
            continue;
        };
        // all aliases must point to a valid CPU model name:
        ensure!(
            !cpus[alias_of].is_null(),
            "{}.alias-of ({alias_of}) is not a valid CPU model name",
            c["name"]
        );
        // aliases must not point to aliases
        ensure!(
            cpus[alias_of]["alias-of"].is_null(),
            "{}.alias-of ({alias_of}) points to another alias",
            c["name"]
        );
        // aliases must not be static
        ensure!(c["static"] == false, "alias {} is static", c["name"]);
    }
    Ok(())
}

fn validate_variant_aliases(cpus: &Value) -> TestResult {
    // -noTSX, -IBRS and -IBPB variants of CPU models are special:
    // they shouldn't have their own versions:
    for variant in [
        "Haswell-noTSX",
        "Broadwell-noTSX",
        "Nehalem-IBRS",
        "Westmere-IBRS",
        "SandyBridge-IBRS",
        "IvyBridge-IBRS",
        "Haswell-noTSX-IBRS",
        "Haswell-IBRS",
        "Broadwell-noTSX-IBRS",
        "Broadwell-IBRS",
        "Skylake-Client-IBRS",
        "Skylake-Server-IBRS",
        "EPYC-IBPB",
    ] {
        ensure!(
            cpus[format!("{variant}-v1")].is_null(),
            "{variant} shouldn't be versioned"
        );
    }
    Ok(())
}

/// The unversioned models both tests check: not static, and an alias of
/// a version that `is_version(model, alias)` accepts.
fn check_unversioned(cpus: &Value, is_version: impl Fn(&str, &str) -> bool) -> TestResult {
    for model in ["Cascadelake-Server", "qemu64"] {
        ensure!(
            cpus[model]["static"] == false,
            "unversioned {model} CPU model must not be static"
        );
        let alias_of = cpus[model]["alias-of"].as_str().unwrap_or_default();
        ensure!(
            is_version(model, alias_of),
            "{model} must be an alias of a {model} version, not {alias_of:?}"
        );
        ensure!(
            cpus[format!("{model}-v1")]["alias-of"].is_null(),
            "{model}-v1 must not be an alias"
        );
    }
    Ok(())
}

#[qemu_test]
fn unversioned_alias(mut vm: Machine) -> TestResult {
    vm.set_machine("pc")?;
    vm.arg("-S").launch()?;
    let cpus = cpu_definitions(&mut vm)?;
    check_unversioned(&cpus, |model, alias| alias == format!("{model}-v1"))?;
    validate_variant_aliases(&cpus)?;
    // On recent PC machines, -noTSX and -IBRS models should be aliases:
    for (model, version) in [
        ("Haswell", "Haswell-v1"),
        ("Haswell-noTSX", "Haswell-v2"),
        ("Haswell-IBRS", "Haswell-v3"),
        ("Haswell-noTSX-IBRS", "Haswell-v4"),
        ("Broadwell", "Broadwell-v1"),
        ("Broadwell-noTSX", "Broadwell-v2"),
        ("Broadwell-IBRS", "Broadwell-v3"),
        ("Broadwell-noTSX-IBRS", "Broadwell-v4"),
        ("Nehalem", "Nehalem-v1"),
        ("Nehalem-IBRS", "Nehalem-v2"),
        ("Westmere", "Westmere-v1"),
        ("Westmere-IBRS", "Westmere-v2"),
        ("SandyBridge", "SandyBridge-v1"),
        ("SandyBridge-IBRS", "SandyBridge-v2"),
        ("IvyBridge", "IvyBridge-v1"),
        ("IvyBridge-IBRS", "IvyBridge-v2"),
        ("Skylake-Client", "Skylake-Client-v1"),
        ("Skylake-Client-IBRS", "Skylake-Client-v2"),
        ("Skylake-Server", "Skylake-Server-v1"),
        ("Skylake-Server-IBRS", "Skylake-Server-v2"),
        ("EPYC", "EPYC-v1"),
        ("EPYC-IBPB", "EPYC-v2"),
    ] {
        ensure!(
            cpus[model]["alias-of"] == version,
            "{model} must be an alias of {version}"
        );
    }
    validate_aliases(&cpus)
}

#[qemu_test]
fn none_alias(mut vm: Machine) -> TestResult {
    vm.set_machine("none")?;
    vm.arg("-S").launch()?;
    let cpus = cpu_definitions(&mut vm)?;
    // Python's re.match('<model>-v[0-9]+'): a prefix match.
    check_unversioned(&cpus, |model, alias| {
        let version = alias
            .strip_prefix(model)
            .and_then(|rest| rest.strip_prefix("-v"));
        version.is_some_and(|number| number.starts_with(|c: char| c.is_ascii_digit()))
    })?;
    validate_aliases(&cpus)
}

/// Cascadelake's `arch-capabilities` on the pc machine with `-cpu cpu`:
/// always off, whether or not the model turns it off.
fn no_arch_capabilities(mut vm: Machine, cpu: &str) -> TestResult {
    vm.set_machine("pc")?;
    // machine-type only:
    vm.arg("-S").args(["-cpu", cpu]).launch()?;
    let cpus = vm.cmd("query-cpus-fast", Value::Null)?;
    let cpu_path = &cpus[0]["qom-path"];
    let prop = vm.cmd(
        "qom-get",
        json!({"path": cpu_path, "property": "arch-capabilities"}),
    )?;
    ensure!(
        prop == false,
        "pc + {cpu} should not have arch-capabilities"
    );
    Ok(())
}

#[qemu_test]
fn test(vm: Machine) -> TestResult {
    no_arch_capabilities(
        vm,
        "Cascadelake-Server,x-force-features=on,check=off,enforce=off",
    )
}

#[qemu_test]
fn unset(vm: Machine) -> TestResult {
    no_arch_capabilities(
        vm,
        "Cascadelake-Server,x-force-features=on,check=off,enforce=off,-arch-capabilities",
    )
}

#[qemu_test]
fn v2_unset(vm: Machine) -> TestResult {
    no_arch_capabilities(
        vm,
        "Cascadelake-Server-v2,x-force-features=on,check=off,enforce=off,-arch-capabilities",
    )
}
