;; A store that reaches past the end of memory traps: 65532 works, 65533 (3 bytes in, 1 byte out) traps,
;; and the output after it never happens.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (i32.store (i32.const 65532) (i32.const 7))
    (call $output (i32.load (i32.const 65532)))
    (i32.store (i32.const 65533) (i32.const 8))
    (call $output (i32.load (i32.const 65532)))
  )
)
