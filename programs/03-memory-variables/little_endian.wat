;; Little-endian byte order: unaligned loads of a stored word, overlapping stores, and packing bytes
;; into a word by storing them at consecutive addresses.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    ;; bytes 01 02 03 04 at addresses 0..3
    (i32.store (i32.const 0) (i32.const 0x04030201))
    (call $output (i32.load (i32.const 0)))                          ;; 0x04030201 = 67305985
    (call $output (i32.load (i32.const 1)))                          ;; 0x00040302 = 262914
    (call $output (i32.load (i32.const 2)))                          ;; 0x00000403 = 1027
    (call $output (i32.load (i32.const 3)))                          ;; 4
    (call $output (i32.and (i32.load (i32.const 0)) (i32.const 255))) ;; lowest byte first: 1
    ;; overlapping stores: 44 33 22 11 at 8, then DD CC BB AA at 10
    (i32.store (i32.const 8) (i32.const 0x11223344))
    (i32.store (i32.const 10) (i32.const 0xAABBCCDD))
    (call $output (i32.load (i32.const 8)))                          ;; 0xCCDD3344
    (call $output (i32.load (i32.const 10)))                         ;; 0xAABBCCDD
    (call $output (i32.load (i32.const 12)))                         ;; 0x0000AABB
    (call $output (i32.load (i32.const 9)))                          ;; 0xBBCCDD33
    ;; pack the bytes 'A' 'B' 'C' 'D' at 20..23
    (i32.store (i32.const 20) (i32.const 0x41))
    (i32.store (i32.const 21) (i32.const 0x42))
    (i32.store (i32.const 22) (i32.const 0x43))
    (i32.store (i32.const 23) (i32.const 0x44))
    (call $output (i32.load (i32.const 20)))                         ;; 0x44434241
    (call $output (i32.load (i32.const 24)))                         ;; bytes 24..26 were zeroed by the stores: 0
    ;; a store written backwards keeps only the low byte of each: 23 <- 0x99 overwrites 'D'
    (i32.store (i32.const 23) (i32.const 0x99))
    (call $output (i32.load (i32.const 20)))                         ;; 0x99434241
  )
)
