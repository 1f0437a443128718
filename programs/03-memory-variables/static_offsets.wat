;; Static offsets on i32.load/i32.store: effective address = base + offset, mixing spellings of the same address.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $base i32)
    ;; store at 4 + 16 = 20
    (i32.store offset=16 (i32.const 4) (i32.const 77))
    (call $output (i32.load (i32.const 20)))
    (call $output (i32.load offset=20 (i32.const 0)))
    (call $output (i32.load offset=12 (i32.const 8)))
    ;; unaligned offset: 3 + 1 = 4, word 0x01020304
    (i32.store offset=1 (i32.const 3) (i32.const 0x01020304))
    (call $output (i32.load offset=3 (i32.const 1)))                 ;; 0x01020304
    (call $output (i32.load offset=2 (i32.const 3)))                 ;; address 5: 0x00010203
    ;; large offset with a local base: 500 + 65000 = 65500
    (local.set $base (i32.const 500))
    (i32.store offset=65000 (local.get $base) (i32.const -123456789))
    (call $output (i32.load (i32.const 65500)))
    ;; a record of three fields at base 1000: fields at +0, +4, +8
    (local.set $base (i32.const 1000))
    (i32.store offset=0 (local.get $base) (i32.const 11))
    (i32.store offset=4 (local.get $base) (i32.const 22))
    (i32.store offset=8 (local.get $base) (i32.const 33))
    (call $output (i32.add (i32.add (i32.load offset=0 (local.get $base))
                                    (i32.load offset=4 (local.get $base)))
                           (i32.load offset=8 (local.get $base))))    ;; 66
    ;; moving the base by 4 shifts the fields: field +4 of base 1004 is the word at 1008
    (call $output (i32.load offset=4 (i32.const 1004)))               ;; 33
  )
)
