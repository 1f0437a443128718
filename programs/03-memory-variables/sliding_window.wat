;; Unaligned, overlapping reads: bytes 1..16 are packed at 100..115, then the word at every address
;; 100..112 is printed (each shares three bytes with its neighbour).
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $i i32)
    (local.set $i (i32.const 0))
    (loop $fill
      (i32.store offset=100 (local.get $i) (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_s (local.get $i) (i32.const 16))))
    (local.set $i (i32.const 100))
    (loop $show
      (call $output (i32.load (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $show (i32.le_s (local.get $i) (i32.const 112))))
  )
)
