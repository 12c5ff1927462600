//! Wasmtime engine settings: the pooling allocator sized for many concurrent,
//! mostly idle instances (one per open request/stream).
//!
//! Every field of [`EngineConfig`] is a knob the benchmark can turn. The
//! defaults aim at 20,000 concurrent instances on a 64-bit Linux host:
//! - address space per slot is bounded (64 MiB linear memory reservation,
//!   no guard region, explicit bounds checks), so 20,000 slots reserve about
//!   1.3 TiB of the 128 TiB user address space instead of 6 GiB each;
//! - nothing is kept resident between uses (`*_keep_resident = 0`): a freed
//!   slot's pages go back to the kernel, so RSS tracks live instances only;
//! - running wasm checks the epoch, so a guest that loops yields every
//!   tick (see [`crate::host::cpu`]);
//! - async stacks are 512 KiB (wasm may use 256 KiB, the host the rest) and
//!   only touched pages count towards RSS.
//!
//! The kernel's `vm.max_map_count` (65,530 by default) becomes the limit
//! first: every async stack slot is two maps from the start and every live
//! instance adds about four, so 20,000 slots need about 124,000 maps (`up`
//! warns when the limit is lower). Raise it before benchmarking:
//! `sysctl -w vm.max_map_count=262144`.

use anyhow::{bail, Context, Result};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Most address space the pool may reserve for linear memories (half of
/// x86-64's 128 TiB user space).
pub const MAX_RESERVED_BYTES: u128 = 64 << 40;

/// Engine and pooling-allocator limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Concurrent component instances (pool slots). Requests past this many
    /// live instances are answered 503. Default 20,000.
    pub max_instances: u32,
    /// Linear memories one instance may hold (Rust components have 1).
    pub memories_per_instance: u32,
    /// Tables one instance may hold (Rust components have 1 to 3).
    pub tables_per_instance: u32,
    /// Core wasm instances inside one component instance.
    pub core_instances_per_instance: u32,
    /// Largest a linear memory may grow to, in bytes; also its address-space
    /// reservation. Default 64 MiB; `up` sets it to `--max-instance-memory`.
    pub max_memory_bytes: u64,
    /// Elements per table slot. Default 10,000.
    pub table_elements: u32,
    /// Native stack for one instance's wasm and host calls, in bytes.
    pub async_stack_bytes: usize,
    /// Part of [`Self::async_stack_bytes`] wasm itself may use.
    pub max_wasm_stack_bytes: usize,
    /// Bytes of a freed linear memory kept resident for reuse (0: none).
    pub memory_keep_resident: usize,
    /// Freed-but-warm slots kept before cold ones are used.
    pub max_unused_warm_slots: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_instances: 20_000,
            memories_per_instance: 1,
            tables_per_instance: 4,
            core_instances_per_instance: 8,
            max_memory_bytes: 64 << 20,
            table_elements: 10_000,
            async_stack_bytes: 512 << 10,
            max_wasm_stack_bytes: 256 << 10,
            memory_keep_resident: 0,
            max_unused_warm_slots: 100,
        }
    }
}

impl EngineConfig {
    /// The same settings with a different instance limit.
    pub fn with_max_instances(mut self, n: u32) -> Self {
        self.max_instances = n;
        self
    }

    /// Checks the settings before any memory is reserved.
    pub fn validate(&self) -> Result<()> {
        if self.max_instances == 0 {
            bail!("max instances must be at least 1");
        }
        if self.max_wasm_stack_bytes == 0 || self.max_wasm_stack_bytes >= self.async_stack_bytes {
            bail!("max wasm stack must be non-zero and smaller than the async stack");
        }
        if self.max_memory_bytes < 64 << 10 {
            bail!("max memory must be at least one 64 KiB page");
        }
        let total = |per: u32, what: &str| {
            self.max_instances
                .checked_mul(per)
                .with_context(|| format!("max instances x {what} per instance overflows"))
        };
        total(self.memories_per_instance, "memories")?;
        let reserved = self.max_instances as u128
            * self.memories_per_instance as u128
            * self.max_memory_bytes as u128;
        if reserved > MAX_RESERVED_BYTES {
            bail!(
                "{} instances x {} bytes of linear memory reserve more than 64 TiB of address space; lower --max-instances or --max-instance-memory",
                self.max_instances,
                self.max_memory_bytes
            );
        }
        total(self.tables_per_instance, "tables")?;
        total(self.core_instances_per_instance, "core instances")?;
        Ok(())
    }

    /// Memory mappings the pool may need with every slot in use: about two
    /// per async stack (stack + guard, mapped up front) and four per live
    /// instance (its linear memory and table regions), plus headroom for
    /// the rest of the process. Measured: 40,067 maps idle at 20,000 slots,
    /// 52,072 with 3,000 live SSE streams.
    pub fn map_count_needed(&self) -> u64 {
        6 * self.max_instances as u64 + 4096
    }

    /// A warning when `max_map_count` (the kernel's `vm.max_map_count`) is
    /// below [`Self::map_count_needed`]: past it, instantiation fails.
    pub fn map_count_warning(&self, max_map_count: u64) -> Option<String> {
        let needed = self.map_count_needed();
        (max_map_count < needed).then(|| {
            format!(
                "warning: vm.max_map_count is {max_map_count}, but {} instances may need about {needed} memory maps; raise it (sysctl -w vm.max_map_count={}) or lower --max-instances",
                self.max_instances,
                needed.next_power_of_two()
            )
        })
    }

    /// Builds the engine: Cranelift, async support, pooling allocator.
    pub fn build(&self) -> Result<Engine> {
        self.validate()?;
        let n = self.max_instances;
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(n)
            .total_core_instances(n * self.core_instances_per_instance)
            .total_memories(n * self.memories_per_instance)
            .total_tables(n * self.tables_per_instance)
            .total_stacks(n)
            .max_core_instances_per_component(self.core_instances_per_instance)
            .max_memories_per_component(self.memories_per_instance)
            .max_tables_per_component(self.tables_per_instance)
            .max_memory_size(self.max_memory_bytes as usize)
            .table_elements(self.table_elements as usize)
            .linear_memory_keep_resident(self.memory_keep_resident)
            .table_keep_resident(0)
            .async_stack_keep_resident(0)
            .max_unused_warm_slots(self.max_unused_warm_slots);
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            // WASI 0.3 components (async exports, streams, futures), as Spin.
            .wasm_component_model_async(true)
            // Running wasm checks the epoch (see `cpu`): loops yield.
            .epoch_interruption(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .memory_reservation(self.max_memory_bytes)
            .memory_reservation_for_growth(0)
            .memory_guard_size(0)
            .guard_before_linear_memory(false)
            .async_stack_size(self.async_stack_bytes)
            // Decommit a finished instance's stack (with keep-resident 0):
            // otherwise every stack slot ever used stays resident.
            .async_stack_zeroing(true)
            .max_wasm_stack(self.max_wasm_stack_bytes)
            .parallel_compilation(true);
        Engine::new(&config).map_err(|e| {
            anyhow::anyhow!("cannot create the wasm engine ({e:#}); try a lower --max-instances")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_allow_twenty_thousand_instances() {
        let c = EngineConfig::default();
        assert_eq!(c.max_instances, 20_000);
        c.validate().unwrap();
        // Address space reserved for linear memories stays far below 128 TiB.
        let reserved = c.max_instances as u64 * c.memories_per_instance as u64 * c.max_memory_bytes;
        assert!(reserved < 4 << 40, "{reserved}");
    }

    #[test]
    fn wasm_stack_must_fit_in_async_stack() {
        let mut c = EngineConfig::default();
        c.max_wasm_stack_bytes = c.async_stack_bytes;
        assert!(c.validate().is_err());
    }

    #[test]
    fn reservations_past_64_tib_name_both_flags() {
        let mut c = EngineConfig {
            max_memory_bytes: 4 << 30,
            ..EngineConfig::default()
        };
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("--max-instances") && e.contains("--max-instance-memory"),
            "{e}"
        );
        c.max_instances = 1000;
        c.validate().unwrap();
    }

    #[test]
    fn zero_instances_is_rejected() {
        assert!(EngineConfig::default()
            .with_max_instances(0)
            .validate()
            .is_err());
    }

    #[test]
    fn overflowing_totals_are_rejected() {
        let mut c = EngineConfig::default().with_max_instances(u32::MAX);
        c.core_instances_per_instance = 2;
        assert!(c.validate().is_err());
    }

    #[test]
    fn map_count_warning_only_when_the_kernel_limit_is_low() {
        let c = EngineConfig::default();
        let w = c
            .map_count_warning(65_530)
            .expect("20,000 slots need more than 65,530 maps");
        assert!(
            w.contains("vm.max_map_count") && w.contains("--max-instances"),
            "{w}"
        );
        assert!(c.map_count_warning(1 << 20).is_none());
        assert!(c
            .with_max_instances(1000)
            .map_count_warning(65_530)
            .is_none());
    }

    #[test]
    fn small_engine_builds() {
        EngineConfig::default()
            .with_max_instances(4)
            .build()
            .unwrap();
    }
}
