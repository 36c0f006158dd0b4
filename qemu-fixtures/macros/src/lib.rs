//! The attributes a test file uses: `#[qemu_test]` turns a function into an
//! rstest test whose `Err(Skip)` is reported as a skip (and registers what
//! its guests cost, when it says), and `#[asset]`
//! registers a `static` asset so that precache and gc can find it.

use proc_macro::TokenStream;
use quote::{format_ident, quote};
use syn::{ItemFn, ItemStatic, ReturnType, parse_macro_input};

/// Marks a QEMU functional test.
///
/// The function takes rstest fixtures (`mut vm: Machine`) and `#[case]`
/// arguments as with `#[rstest]`, and returns `TestResult`. The body runs
/// inside `qemu_fixtures::harness::outcome::conclude`, which records the verdict
/// (pass, skip with its reason, or failure with the log directory), keeps or
/// removes the scratch directory, and tells libtest pass or fail: libtest and
/// nextest have no runtime skip, so a skip passes for them and is reported by
/// our own tooling.
///
/// A test whose guests cost more than one host thread declares it here, as
/// `#[qemu_test(vcpus = 4, memory_mib = 4096, kvm)]` (`kvm`: it needs
/// /dev/kvm to itself). `cargo xtask ci-plan costs` turns the declarations
/// into nextest's `threads-required` and test groups.
#[proc_macro_attribute]
pub fn qemu_test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cost = match parse_cost(attr) {
        Ok(cost) => cost,
        Err(err) => return err.to_compile_error().into(),
    };
    let mut function = parse_macro_input!(item as ItemFn);
    let block = &function.block;
    let (result_type, body) = match &function.sig.output {
        ReturnType::Default => (
            quote! { ::qemu_fixtures::TestResult },
            quote! { { #block; ::core::result::Result::Ok(()) } },
        ),
        ReturnType::Type(_, ty) => (quote! { #ty }, quote! { #block }),
    };
    let wrapped: syn::Block = syn::parse_quote! {{
        ::qemu_fixtures::harness::outcome::conclude(move || -> #result_type {
            // The machines the body took as arguments are dropped after
            // this closure: their shutdown waits for the verdict.
            let result = (|| -> #result_type #body)();
            ::qemu_fixtures::harness::outcome::body_ended();
            result
        })
    }};
    *function.block = wrapped;
    function.sig.output = syn::parse_quote! { -> ::qemu_fixtures::harness::outcome::Verdict };
    // The crate name tells the library which target this test binary is for
    // (`arch-arm` is arm), also when the binary runs outside cargo.
    let crate_static = format_ident!("__QEMU_TEST_CRATE_{}", function.sig.ident);
    // The declared cost goes to the registry `cargo xtask ci-plan costs` reads.
    let cost_static = cost.map(|Cost { vcpus, memory_mib, kvm }| {
        let name = format_ident!("__QEMU_TEST_COST_{}", function.sig.ident);
        let ident = function.sig.ident.to_string();
        quote! {
            #[::qemu_fixtures::__private::linkme::distributed_slice(::qemu_fixtures::harness::cost::COSTS)]
            #[linkme(crate = ::qemu_fixtures::__private::linkme)]
            #[allow(non_upper_case_globals)]
            static #name: ::qemu_fixtures::harness::cost::Cost = ::qemu_fixtures::harness::cost::Cost {
                path: ::core::concat!(::core::module_path!(), "::", #ident),
                vcpus: #vcpus,
                memory_mib: #memory_mib,
                kvm: #kvm,
            };
        }
    });
    quote! {
        #[::qemu_fixtures::__private::linkme::distributed_slice(::qemu_fixtures::harness::id::TEST_CRATE)]
        #[linkme(crate = ::qemu_fixtures::__private::linkme)]
        #[allow(non_upper_case_globals)]
        static #crate_static: &str = ::core::env!("CARGO_PKG_NAME");

        #cost_static

        #[::rstest::rstest]
        #function
    }
    .into()
}

/// What `#[qemu_test(...)]` declares about a test's guests.
struct Cost {
    vcpus: u32,
    memory_mib: u32,
    kvm: bool,
}

fn parse_cost(attr: TokenStream) -> syn::Result<Option<Cost>> {
    if attr.is_empty() {
        return Ok(None);
    }
    let mut cost = Cost {
        vcpus: 1,
        memory_mib: 0,
        kvm: false,
    };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("kvm") {
            cost.kvm = true;
            Ok(())
        } else if meta.path.is_ident("vcpus") {
            cost.vcpus = meta.value()?.parse::<syn::LitInt>()?.base10_parse()?;
            Ok(())
        } else if meta.path.is_ident("memory_mib") {
            cost.memory_mib = meta.value()?.parse::<syn::LitInt>()?.base10_parse()?;
            Ok(())
        } else {
            Err(meta.error("#[qemu_test] takes `vcpus = N`, `memory_mib = N` and `kvm`"))
        }
    });
    syn::parse::Parser::parse(parser, attr)?;
    Ok(Some(cost))
}

/// Registers an asset `static` in the registry that `cargo xtask precache`
/// and `cargo xtask assets gc` read, so no list of assets is kept by hand.
#[proc_macro_attribute]
pub fn asset(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[asset] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let item = parse_macro_input!(item as ItemStatic);
    quote! {
        #[::qemu_fixtures::__private::linkme::distributed_slice(::qemu_fixtures::assets::declare::REGISTRY)]
        #[linkme(crate = ::qemu_fixtures::__private::linkme)]
        #item
    }
    .into()
}
