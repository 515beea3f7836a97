// scheduler: coming next
