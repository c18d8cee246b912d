//! A bump allocator over a static arena, for scorecards on wasm.
//!
//! The host scores every subject in a fresh instance, so an instance's start-up is
//! the cost that counts. Rust's default allocator grows linear memory on its first
//! allocation; this one hands out memory from an arena that is part of the
//! module's initial memory (zeroed `.bss`, no data to copy) and never frees:
//! an instance lives for one evaluation. Only if an evaluation needs more than the
//! arena does it grow memory, and the host's memory cap still bounds that.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

const ARENA_BYTES: usize = 256 * 1024;
const PAGE: usize = 64 * 1024;

#[repr(C, align(16))]
struct Arena(UnsafeCell<[u8; ARENA_BYTES]>);

/// The next free address and the end of the current region.
struct Cursor(UnsafeCell<(usize, usize)>);

// SAFETY: wasm32-wasip2 scorecards are single-threaded; nothing is shared across threads.
unsafe impl Sync for Arena {}
unsafe impl Sync for Cursor {}

static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_BYTES]));
static CURSOR: Cursor = Cursor(UnsafeCell::new((0, 0)));

/// The allocator the SDK installs for scorecards built for wasm.
pub struct BumpAllocator;

unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded, see above.
        let cursor = unsafe { &mut *CURSOR.0.get() };
        if cursor.1 == 0 {
            let start = ARENA.0.get() as usize;
            *cursor = (start, start + ARENA_BYTES);
        }
        let align = layout.align();
        let mut start = (cursor.0 + align - 1) & !(align - 1);
        if start + layout.size() > cursor.1 {
            let pages = (layout.size() + align).div_ceil(PAGE);
            let previous = core::arch::wasm32::memory_grow(0, pages);
            if previous == usize::MAX {
                return core::ptr::null_mut();
            }
            let region = previous * PAGE;
            *cursor = (region, region + pages * PAGE);
            start = (region + align - 1) & !(align - 1);
        }
        cursor.0 = start + layout.size();
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Only the most recent allocation can be given back; an instance is
        // short-lived, so the rest is reclaimed when it is dropped.
        let cursor = unsafe { &mut *CURSOR.0.get() };
        if ptr as usize + layout.size() == cursor.0 {
            cursor.0 = ptr as usize;
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let cursor = unsafe { &mut *CURSOR.0.get() };
        // The most recent allocation grows in place when the region has room.
        if ptr as usize + layout.size() == cursor.0 && ptr as usize + new_size <= cursor.1 {
            cursor.0 = ptr as usize + new_size;
            return ptr;
        }
        // SAFETY: the layout is valid for the new size, as GlobalAlloc::realloc requires.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller of the two sizes.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}

/// The canonical ABI's allocation entry point, on the bump allocator: a
/// `no_std` scorecard has no other to export.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    if new_len == 0 {
        return align as *mut u8;
    }
    // SAFETY: the canonical ABI passes a valid, power-of-two alignment.
    let layout = unsafe { Layout::from_size_align_unchecked(new_len, align) };
    if old.is_null() {
        unsafe { BumpAllocator.alloc(layout) }
    } else {
        let old_layout = unsafe { Layout::from_size_align_unchecked(old_len, align) };
        unsafe { BumpAllocator.realloc(old, old_layout, new_len) }
    }
}
