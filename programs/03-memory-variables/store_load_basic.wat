;; i32.store / i32.load round trips, memory and locals starting at zero, overwriting a word.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $never_set i32) (local $p i32)
    ;; fresh memory and locals are zero
    (call $output (i32.load (i32.const 200)))
    (call $output (i32.load (i32.const 65532)))
    (call $output (local.get $never_set))
    ;; three words at different addresses
    (i32.store (i32.const 0) (i32.const 123))
    (i32.store (i32.const 4) (i32.const -456))
    (i32.store (i32.const 100) (i32.const 2147483647))
    (call $output (i32.load (i32.const 0)))
    (call $output (i32.load (i32.const 4)))
    (call $output (i32.load (i32.const 100)))
    ;; overwrite address 0; its neighbour is untouched
    (i32.store (i32.const 0) (i32.const 999))
    (call $output (i32.load (i32.const 0)))
    (call $output (i32.load (i32.const 4)))
    ;; address held in a local
    (local.set $p (i32.const 4000))
    (i32.store (local.get $p) (i32.mul (i32.const 6) (i32.const 7)))
    (call $output (i32.load (local.get $p)))
    ;; read-modify-write: word at 4000 becomes 42 + 58 = 100
    (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 58)))
    (call $output (i32.load (i32.const 4000)))
  )
)
