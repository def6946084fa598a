fn main() -> std::process::ExitCode {
    rootspan_host::cli::main()
}
