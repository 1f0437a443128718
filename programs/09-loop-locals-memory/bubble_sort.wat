;; Bubble sort in memory: the bytes of file 0 (at most 16) become words at 4*i, are sorted ascending with
;; passes that stop early once nothing was swapped, then printed; the count of passes comes last.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $n i32) (local $byte i32) (local $i i32) (local $a i32) (local $b i32)
    (local $swapped i32) (local $passes i32)
    (drop (call $fd_open (i32.const 0)))
    (block $loaded
      (loop $load
        (br_if $loaded (i32.ge_s (local.get $n) (i32.const 16)))
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $loaded (i32.eq (local.get $byte) (i32.const -1)))
        (i32.store (i32.mul (local.get $n) (i32.const 4)) (local.get $byte))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $load)))
    (loop $pass
      (local.set $swapped (i32.const 0))
      (local.set $passes (i32.add (local.get $passes) (i32.const 1)))
      (local.set $i (i32.const 0))
      (block $end_pass
        (loop $compare
          ;; compare elements i and i+1 while i + 1 < n
          (br_if $end_pass (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
          (local.set $a (i32.load (i32.mul (local.get $i) (i32.const 4))))
          (local.set $b (i32.load offset=4 (i32.mul (local.get $i) (i32.const 4))))
          (if (i32.gt_s (local.get $a) (local.get $b))
            (then
              (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $b))
              (i32.store offset=4 (i32.mul (local.get $i) (i32.const 4)) (local.get $a))
              (local.set $swapped (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $compare)))
      (br_if $pass (local.get $swapped)))
    (local.set $i (i32.const 0))
    (block $printed
      (loop $print
        (br_if $printed (i32.ge_s (local.get $i) (local.get $n)))
        (call $output (i32.load (i32.mul (local.get $i) (i32.const 4))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $print)))
    (call $output (local.get $passes))
  )
)
