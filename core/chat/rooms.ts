/** Socket.IO rooms: a chat's followers, and every socket of one user (joined at connect). */
export const chatRoom = (chatId: string) => `chat:${chatId}`;
export const userRoom = (userId: string) => `user:${userId}`;
