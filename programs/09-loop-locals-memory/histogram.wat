;; Byte histogram: counts each byte value of file 0 in a 256-word table at 1024, then prints (value, count)
;; for every value that occurs, in increasing order, and finally the number of distinct values.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $byte i32) (local $slot i32) (local $v i32) (local $distinct i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $count
        (local.set $byte (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
        (local.set $slot (i32.mul (local.get $byte) (i32.const 4)))
        (i32.store offset=1024 (local.get $slot)
          (i32.add (i32.load offset=1024 (local.get $slot)) (i32.const 1)))
        (br $count)))
    (loop $scan
      (if (i32.ne (i32.load offset=1024 (i32.mul (local.get $v) (i32.const 4))) (i32.const 0))
        (then
          (call $output (local.get $v))
          (call $output (i32.load offset=1024 (i32.mul (local.get $v) (i32.const 4))))
          (local.set $distinct (i32.add (local.get $distinct) (i32.const 1)))))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br_if $scan (i32.lt_s (local.get $v) (i32.const 256))))
    (call $output (local.get $distinct))
  )
)
