;; The last valid word of a 1-page memory is at 65532 (plain, via base + offset, unaligned just before it);
;; a load at 65533 reaches past the end and traps after the earlier outputs.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (i32.store (i32.const 65532) (i32.const 0x11223344))
    (call $output (i32.load (i32.const 65532)))                 ;; 0x11223344
    (call $output (i32.load offset=65532 (i32.const 0)))        ;; same word
    (call $output (i32.load offset=4 (i32.const 65528)))        ;; same word
    (call $output (i32.load (i32.const 65530)))                 ;; 0x33440000
    (i32.store offset=2 (i32.const 65530) (i32.const -1))       ;; 65532 again: all ones
    (call $output (i32.load (i32.const 65532)))                 ;; -1
    (call $output (i32.load (i32.const 65529)))                 ;; 0xFF000000
    (call $output (i32.load (i32.const 65533)))                 ;; traps: 65533 + 4 > 65536
    (call $output (i32.const 12345))                            ;; never reached
  )
)
